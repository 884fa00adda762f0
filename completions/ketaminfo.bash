# ketaminfo completion for bash: add to ~/.bashrc
#   eval "$(ketaminfo completion bash)"
_ketaminfo_complete() {
    local IFS=$'\n'
    local -a found
    found=($(COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD _KETAMINFO_COMPLETE=bash ketaminfo 2>/dev/null))
    case ${found[0]} in
        :files) COMPREPLY=($(compgen -f -- "${COMP_WORDS[COMP_CWORD]}")); compopt -o filenames 2>/dev/null ;;
        :folders) COMPREPLY=($(compgen -d -- "${COMP_WORDS[COMP_CWORD]}")); compopt -o filenames 2>/dev/null ;;
        *) COMPREPLY=("${found[@]}") ;;
    esac
}
complete -F _ketaminfo_complete ketaminfo
