# ketaminfo completion for bash: add to ~/.bashrc
#   eval "$(ketaminfo completion bash)"
_ketaminfo_complete() {
    local IFS=$'\n'
    COMPREPLY=($(COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _KETAMINFO_COMPLETE=bash ketaminfo 2>/dev/null))
}
complete -o default -F _ketaminfo_complete ketaminfo
