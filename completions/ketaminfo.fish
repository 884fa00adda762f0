# ketaminfo completion for fish: save as ~/.config/fish/completions/ketaminfo.fish
#   ketaminfo completion fish > ~/.config/fish/completions/ketaminfo.fish
function __ketaminfo_complete
    set -l words (commandline -opc) (commandline -ct)
    COMP_WORDS="$words" COMP_CWORD=(math (count $words) - 1) _KETAMINFO_COMPLETE=fish ketaminfo 2>/dev/null
end
complete -c ketaminfo -f -a '(__ketaminfo_complete)'
