#!/usr/bin/env zsh
# zsh-complete.zsh DIR LINE...: loads the zsh completion _segurctl from DIR
# as a user's shell does (fpath, compinit) in an interactive zsh driven
# through a pseudo-terminal (zsh/zpty), types each LINE followed by TAB,
# and prints the command line the completion left, one per LINE, between
# "=>" and "<=" (for t0005). With --source FILE instead of DIR: compinit,
# then "source FILE", as "source <(segurctl completion zsh)" does.
emulate -L zsh
zmodload zsh/zpty || exit 77
if [[ $1 == --source ]]; then
	load="autoload -Uz compinit && compinit -u -D && source ${(q)2}"
	shift 2
else
	load="fpath=(${(q)1} \$fpath); autoload -Uz compinit && compinit -u -D"
	shift
fi
zpty -b z 'zsh -f -i' || exit 1
zpty -w z "PS1='> '; PROMPT_EOL_MARK=''; $load; print LOADED-\$_comps[segurctl]-END"
out=''
for i in {1..100}; do
	zpty -r -t z chunk && out+=$chunk
	# The answer, not the echo of the command: at the start of a line.
	[[ ${out//$'\r'/} == *$'\n'LOADED-*-END* ]] && break
	sleep 0.05
done
# compinit found _segurctl in DIR and gave it segurctl.
if [[ $out != *'LOADED-_segurctl-END'* ]]; then
	print -r -- "compinit did not load _segurctl: ${out//$'\r'/}"
	zpty -d z
	exit 1
fi
print -r -- "loaded"
for line in "$@"; do
	# The line, TAB; then, at the start of the line (^A), echo "=> and,
	# at its end (^E), <=": running it prints the line as completed.
	zpty -w -n z "$line"$'\t'
	sleep 0.3
	zpty -w -n z $'\x01echo "=>\x05<="\n'
	out=''
	for i in {1..100}; do
		zpty -r -t z chunk && out+=$chunk
		[[ ${out//$'\r'/} == *$'\n=>'*'<='* ]] && break
		sleep 0.05
	done
	out=${out//$'\r'/}
	print -r -- "=>${${out##*$'\n=>'}%%<=*}<="
done
zpty -d z
