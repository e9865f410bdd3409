# fish completion for actor-join, actor-watch and actor-run-if-leader.
# fish loads completions by command name, so this file is installed once per
# tool; each copy defines all three (harmless repeats). A test (tests/docs)
# checks that every option of each tool's --help is here.

set -l durations '10s 1.5s 250ms 2m'

for tool in actor-join actor-watch actor-run-if-leader
    complete -c $tool -s b -l broker -x -a 'mqtt://localhost:1883 mqtts:// serf://127.0.0.1:7373' -d 'broker URL'
    complete -c $tool -s n -l name -x -d "this node's name"
    complete -c $tool -l value -x -a '0 1 null' -d 'value as JSON (null = not ready)'
    complete -c $tool -l cycle -x -a $durations -d 'length of a turn'
    complete -c $tool -l gap -x -a $durations -d 'slot width'
    complete -c $tool -l timeout -x -a $durations -d 'give up after DURATION (exit 124)'
    complete -c $tool -l nodes -x -d 'chain bound'
    complete -c $tool -l splits -x -d 'history entries a ping carries'
    complete -c $tool -l n-hosts -x -d 'rough number of participants'
    complete -c $tool -l force-in -d 'try hard to get every node onto the chain'
    complete -c $tool -l turn-policy -x -a 'fair asyncactor' -d 'when this node pings'
    complete -c $tool -l config-version -x -d 'config version'
    complete -c $tool -s u -l username -x -a '(__fish_complete_users)' -d 'broker user name'
    complete -c $tool -l password-file -r -F -d 'file holding the broker password'
    complete -c $tool -l cafile -r -F -d 'TLS CA file'
    complete -c $tool -l capath -x -a '(__fish_complete_directories)' -d 'TLS CA directory'
    complete -c $tool -l cert -r -F -d 'TLS client certificate'
    complete -c $tool -l key -r -F -d 'TLS client key'
    complete -c $tool -l serf-auth-file -r -F -d 'file holding the Serf RPC auth key'
    complete -c $tool -l group-key -r -F -d 'file holding the group key (mode 0600)'
    complete -c $tool -s v -l verbose -d 'diagnostics on stderr'
    complete -c $tool -s q -l quiet -d 'no diagnostics on stderr'
    complete -c $tool -l format -x -a 'json text' -d 'output format'
    complete -c $tool -l config -r -F -d 'read options from FILE'
    complete -c $tool -s h -l help -d 'print help and exit'
    complete -c $tool -l version -d 'print version and exit'
end

complete -c actor-join -l passive -d 'listen and report, never ping'
complete -c actor-join -l raw -d 'also print every message'
complete -c actor-join -l count -x -d "exit 0 after this node's N-th untag"
complete -c actor-join -l control -d 'read JSON command lines on stdin'

complete -c actor-watch -l raw -d 'also print every message with its sender'
complete -c actor-watch -l once -d 'print the next settled turn and exit'
complete -c actor-watch -l members -d 'print the nodes seen lately after each turn'
complete -c actor-watch -l ttl -x -a $durations -d 'how long a member stays listed'
complete -c actor-watch -l print-timing -d 'print the derived durations of the timing and exit'
complete -c actor-watch -l format -x -a 'prometheus' -d 'output format'
complete -c actor-watch -l check -d 'monitoring plugin: one status line, exit 0-3'
complete -c actor-watch -l warn-members -x -d '--check: WARNING with fewer members than N'
complete -c actor-watch -l crit-members -x -d '--check: CRITICAL with fewer members than N'
complete -c actor-watch -l warn-age -x -a $durations -d '--check: WARNING when the last turn is older'
complete -c actor-watch -l crit-age -x -a $durations -d '--check: CRITICAL when the last turn is older'

complete -c actor-run-if-leader -l wait -d 'join at once; run when the rotation reaches this node'
complete -c actor-run-if-leader -l observe -d "never join; run if the next turn is this node's"
complete -c actor-run-if-leader -l linger -x -a $durations -d 'stay in the group after COMMAND ends'
complete -c actor-run-if-leader -l kill-on-detag -d 'kill COMMAND when the turn is lost'
complete -c actor-run-if-leader -l kill-on-untag -d 'kill COMMAND when the turn ends'
complete -c actor-run-if-leader -l kill-after -x -a $durations -d 'SIGKILL this long after SIGTERM'
complete -c actor-run-if-leader -s c -x -d 'run STRING with /bin/sh -c'
complete -c actor-run-if-leader -l events -r -F -d 'write JSON events to FILE'
complete -c actor-run-if-leader -l events-fd -x -d 'write JSON events to file descriptor N'
complete -c actor-run-if-leader -s E -l conflict-exit-code -x -a '0 75' -d 'status when another node has the turn'
complete -c actor-run-if-leader -l fail-open -d 'run COMMAND when the broker is unreachable'

# After `--` or after GROUP, the rest of the line is a command with its own
# completion. Options that take a value are skipped with their value.
function __actor_command_start
    set -l value_opts -b --broker -n --name --value --cycle --gap --timeout \
        --nodes --splits --n-hosts --config-version -u --username --password-file \
        --cafile --capath --cert --key --serf-auth-file --group-key --format --config \
        --linger --kill-after -c --events --events-fd -E --conflict-exit-code
    set -l words (commandline -opc)
    set -l skip 0
    set -l shell_string 0
    for i in (seq 2 (count $words))
        set -l w $words[$i]
        if test $skip -eq 1
            set skip 0
            continue
        end
        if test "$w" = --
            echo $i
            return 0
        end
        if test "$w" = -c
            set shell_string 1
        end
        if string match -q -- '-*' $w
            if contains -- $w $value_opts
                set skip 1
            end
            continue
        end
        # The first positional is GROUP; with -c there is no COMMAND.
        if test $shell_string -eq 0
            echo $i
            return 0
        end
    end
    return 1
end

function __actor_complete_command
    set -l start (__actor_command_start)
    or return
    __fish_complete_subcommand --fcs-skip=$start
end

complete -c actor-run-if-leader -n __actor_command_start -x -a '(__actor_complete_command)'
