# bash completion for actor-join, actor-watch and actor-run-if-leader.
#
# One file serves the three tools: it is installed once per tool name, so
# bash-completion's on-demand loader finds it whichever tool is typed first,
# and sourcing it registers all three. The option lists are kept in step
# with each tool's --help by a test (tests/docs), so add new options here.
# It works with or without the bash-completion package (which adds
# _command_offset for completing the command after run-if-leader's `--`).

_actor_common_opts='-b --broker -n --name --value --cycle --gap --timeout
  --nodes --splits --n-hosts --force-in --turn-policy --config-version -u --username
  --password-file --cafile --capath --cert --key --serf-auth-file --group-key
  -v --verbose -q --quiet --format --config -h --help --version'
_actor_join_opts='--passive --raw --count --control'
_actor_watch_opts='--raw --once --members --ttl --print-timing
  --check --warn-members --crit-members --warn-age --crit-age'
_actor_run_opts='--wait --observe --linger --kill-on-detag --kill-on-untag
  --kill-after -c --events --events-fd -E --conflict-exit-code --fail-open'

# Options that take a value (the next word); used to find the positionals.
_actor_value_opts=' -b --broker -n --name --value --cycle --gap --timeout
  --nodes --splits --n-hosts --turn-policy --config-version -u --username --password-file
  --cafile --capath --cert --key --serf-auth-file --group-key --format --config
  --count --ttl --linger --kill-after -c --events --events-fd
  --warn-members --crit-members --warn-age --crit-age
  -E --conflict-exit-code '

_actor_complete_files() {
    # $1: -f for files, -d for directories.
    local IFS=$'\n'
    # compopt fails outside a completion (e.g. in tests); that is harmless.
    compopt -o filenames 2>/dev/null || true
    COMPREPLY=($(compgen "$1" -- "$2"))
}

_actor() {
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=''
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    local tool=${COMP_WORDS[0]##*/}
    COMPREPLY=()

    # run-if-leader: from `--`, or from the word after GROUP, it is a command.
    if [[ $tool == actor-run-if-leader ]]; then
        local i word positionals=0 cmd_start=0 skip=0 shell_string=0 dashdash=0
        for ((i = 1; i < COMP_CWORD; i++)); do
            word=${COMP_WORDS[i]}
            if ((skip)); then skip=0; continue; fi
            if [[ $word == -- ]]; then cmd_start=$((i + 1)) dashdash=1; break; fi
            if [[ $word == -c ]]; then shell_string=1; fi
            if [[ $word == -* ]]; then
                [[ $word != *=* && $_actor_value_opts == *" $word "* ]] && skip=1
                continue
            fi
            positionals=$((positionals + 1))
            # With -c STRING there is no COMMAND: every positional is GROUP.
            if ((positionals == 1 && ! shell_string)); then
                cmd_start=$((i + 1))
                # GROUP -- COMMAND: the command starts after the `--`.
                if ((cmd_start < COMP_CWORD)) && [[ ${COMP_WORDS[cmd_start]} == -- ]]; then
                    cmd_start=$((cmd_start + 1)) dashdash=1
                fi
                break
            fi
        done
        # Right after GROUP, a word starting with - may still be an option.
        if ((cmd_start == COMP_CWORD && ! dashdash)) && [[ $cur == -* ]]; then
            cmd_start=0
        fi
        if ((cmd_start > 0 && cmd_start <= COMP_CWORD)); then
            if ((cmd_start == COMP_CWORD)); then
                # compgen -c repeats names found in several PATH entries.
                mapfile -t COMPREPLY < <(compgen -c -- "$cur" | LC_ALL=C sort -u)
            elif type _command_offset &>/dev/null; then
                _command_offset "$cmd_start"
            else
                _actor_complete_files -f "$cur"
            fi
            return 0
        fi
    fi

    case $prev in
    --format)
        if [[ $tool == actor-watch ]]; then
            COMPREPLY=($(compgen -W 'json text prometheus' -- "$cur"))
        else
            COMPREPLY=($(compgen -W 'json text' -- "$cur"))
        fi
        return 0 ;;
    --turn-policy)
        COMPREPLY=($(compgen -W 'fair asyncactor' -- "$cur"))
        return 0 ;;
    --cycle | --gap | --timeout | --ttl | --linger | --kill-after | --warn-age | --crit-age)
        COMPREPLY=($(compgen -W '10s 1.5s 250ms 2m' -- "$cur"))
        return 0 ;;
    --config | --password-file | --serf-auth-file | --group-key | --cafile | --cert | --key | --events)
        _actor_complete_files -f "$cur"
        return 0 ;;
    --capath)
        _actor_complete_files -d "$cur"
        return 0 ;;
    -b | --broker)
        COMPREPLY=($(compgen -W 'mqtt://localhost:1883 mqtts:// serf://127.0.0.1:7373' -- "$cur"))
        compopt -o nospace 2>/dev/null || true
        return 0 ;;
    --value)
        COMPREPLY=($(compgen -W '0 1 null' -- "$cur"))
        return 0 ;;
    -n | --name | -u | --username | --nodes | --splits | --n-hosts | --config-version | \
        --count | -c | --events-fd | -E | --conflict-exit-code | --warn-members | --crit-members)
        # A free-form value: offer nothing rather than something wrong.
        return 0 ;;
    esac

    if [[ $cur == -* ]]; then
        local opts=$_actor_common_opts
        case $tool in
        actor-join) opts+=" $_actor_join_opts" ;;
        actor-watch) opts+=" $_actor_watch_opts" ;;
        actor-run-if-leader) opts+=" $_actor_run_opts --" ;;
        esac
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
    return 0
}

complete -F _actor actor-join actor-watch actor-run-if-leader
