# Bash completion for juliaset: flags, colormap and other names, PNG files for --from.
# Installed as share/bash-completion/completions/juliaset (bash-completion 2.9+ finds it beside
# the command, a virtual environment's included); or: source cli/completion.bash

_juliaset() {
    COMPREPLY=()
    local cur="${COMP_WORDS[COMP_CWORD]}" prev=""
    ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
    # "--colormap=ma" arrives as "--colormap" "=" "ma" while "=" breaks words (the default).
    if [[ $cur == "=" ]]; then
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev="${COMP_WORDS[COMP_CWORD - 2]}"
    elif [[ $cur == -*=* ]]; then
        # "=" does not break words here: the reply must keep the flag in front.
        prev="${cur%%=*}"
        cur="${cur#*=}"
        local values
        values=$(_juliaset_values "$prev" "$cur") || return 0
        local IFS=$'\n'
        COMPREPLY=($(compgen -P "$prev=" -W "$values" -- "$cur"))
        return 0
    fi
    local values
    if values=$(_juliaset_values "$prev" "$cur"); then
        local IFS=$'\n'
        COMPREPLY=($(compgen -W "$values" -- "$cur"))
        return 0
    fi
    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "--resolution -R --xleft -x --xright -X --ybot -y --ytop -Y
            --real -r --imag -i --threshold -t --itermin -m --itermax -M --output -o --threads
            --power --colormap --coloring --supersample --bits --precision --from --mandelbrot
            --julia --smooth --histogram --fast --best --help -h --version -V
            --center --width --size" -- "$cur"))
    fi
    return 0
}

# The values a flag takes, one a line; fails for a flag that takes none or a free number.
_juliaset_values() {
    case "$1" in
        --colormap)
            printf '%s\n' gray viridis magma inferno plasma twilight \
                gray_r viridis_r magma_r inferno_r plasma_r twilight_r ;;
        --coloring) printf '%s\n' count smooth histogram ;;
        --precision) printf '%s\n' double single ;;
        --bits) printf '%s\n' 8 16 ;;
        --power) printf '%s\n' 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 ;;
        --supersample) printf '%s\n' 1 2 3 4 ;;
        --from) compgen -f -X '!*.[pP][nN][gG]' -- "$2"; compgen -d -- "$2"; return 0 ;;
        --output | -o) compgen -f -- "$2"; printf '%s\n' -; return 0 ;;
        *) return 1 ;;
    esac
}

complete -o filenames -F _juliaset juliaset
