# ketaminfo completion for fish: save as ~/.config/fish/completions/ketaminfo.fish
#   ketaminfo completion fish > ~/.config/fish/completions/ketaminfo.fish
function __ketaminfo_complete
    set -l words (commandline -opc) (commandline -ct)
    set -l found (COMP_WORDS="$words" COMP_CWORD=(math (count $words) - 1) _KETAMINFO_COMPLETE=fish ketaminfo 2>/dev/null)
    switch "$found[1]"
        case :files
            __fish_complete_path (commandline -ct)
        case :folders
            __fish_complete_directories (commandline -ct)
        case '*'
            if set -q found[1]
                printf '%s\n' $found
            end
    end
end
complete -c ketaminfo -f -a '(__ketaminfo_complete)'
