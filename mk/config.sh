#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Configure the kernel from our fragments (configs/*.config): the fragments go
# into an empty .config and `olddefconfig` fills in the defaults, as kunit.py
# does. Every symbol a fragment sets must survive (its last setting, if
# several fragments set it); a dropped one is an error that names the symbol.
. "$(dirname "$0")/lib.sh"

# CONFIG_FRAGMENTS and FRAG let the benchmark configure its kernels alike.
CONFIG_FRAGMENTS=${CONFIG_FRAGMENTS:-$(ls "$TOP"/configs/*.config)}
frag=${FRAG:-$BUILD/fragment.config}
mkdir -p "$KOBJ"
cat $CONFIG_FRAGMENTS >"$frag.new"
if [ -f "$KOBJ/.config" ] && cmp -s "$frag.new" "$frag"; then
	rm "$frag.new"
	exit 0
fi

step "config: olddefconfig from $(echo $CONFIG_FRAGMENTS | xargs -n1 basename | tr '\n' ' ')$(objname)"
cp "$frag.new" "$KOBJ/.config"
logged "$LOGS/config.log" kmake olddefconfig

# A later fragment may set a symbol again (the debug kernel does): the last
# setting of each symbol is the one that counts, as for Kconfig itself.
wanted=$(awk '/^CONFIG_[A-Za-z0-9_]+=/ { sym = $0; sub(/=.*/, "", sym) }
	/^# CONFIG_[A-Za-z0-9_]+ is not set/ { sym = $2 }
	sym != "" { last[sym] = $0; order[++n] = sym; sym = "" }
	END { for (i = 1; i <= n; i++) if (!(order[i] in done)) { done[order[i]] = 1; print last[order[i]] } }' "$frag.new")
bad=0
while IFS= read -r line; do
	case "$line" in
	CONFIG_*=*)
		grep -qxF "$line" "$KOBJ/.config" && continue
		echo "config: '$line' was not kept (unmet dependency?)" >&2
		bad=1 ;;
	"# CONFIG_"*" is not set")
		sym=${line#\# }
		sym=${sym%% *}
		grep -q "^$sym=" "$KOBJ/.config" || continue
		echo "config: '$line' was overridden" >&2
		bad=1 ;;
	esac
done <<<"$wanted"
if [ $bad -ne 0 ]; then
	grep -q '^CONFIG_RUST=y' "$frag.new" && ! grep -q '^CONFIG_RUST=y' "$KOBJ/.config" &&
		kmake rustavailable >&2 || true
	rm -f "$KOBJ/.config"
	die "the kernel configuration does not match $CONFIG_FRAGMENTS"
fi
mv "$frag.new" "$frag"
