#!/usr/bin/env bash
# Brings up throwaway Postgres and RabbitMQ servers from the OS packages on loopback, for the tests and the demo.
# Source it, then: services_start <state-dir>; ... ; services_stop.
# After services_start these are exported:
#   CONTROLPLANE_TEST_POSTGRES  Npgsql connection string (superuser, database "postgres")
#   CONTROLPLANE_TEST_RABBITMQ  amqp:// URI
# Nothing listens beyond 127.0.0.1; data directories live under <state-dir> and are removed on stop.

_svc_log() { printf '[services] %s\n' "$*" >&2; }

_svc_as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo -n "$@"; else
        _svc_log "need root (or passwordless sudo) to install $*"; return 1; fi
}

_svc_pg_bindir() {
    local d
    for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return 0; }; done
    return 1
}

_svc_rabbit_bin() {
    [ -x /usr/lib/rabbitmq/bin/rabbitmq-server ] && { echo /usr/lib/rabbitmq/bin; return 0; }
    return 1
}

# Installs postgresql and rabbitmq-server from Debian packages when they are missing.
services_install() {
    local need=()
    _svc_pg_bindir >/dev/null || need+=(postgresql)
    _svc_rabbit_bin >/dev/null || need+=(rabbitmq-server)
    [ ${#need[@]} -eq 0 ] && return 0
    _svc_log "installing ${need[*]} from the OS packages"
    export DEBIAN_FRONTEND=noninteractive
    _svc_as_root apt-get update -qq >/dev/null || return 1
    # policy-rc.d keeps the packages from starting system-wide servers we would then have to dodge.
    _svc_as_root sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    _svc_as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null || return 1
    _svc_as_root rm -f /usr/sbin/policy-rc.d
}

# Sets the variable named $1 to a TCP port on 127.0.0.1 that nothing listens on and that no earlier call handed out
# (a variable, not output: a $(…) subshell would forget what was handed out). It is drawn from below
# the kernel's ephemeral range: a port inside it can be the local end of any outgoing connection at the moment the
# server binds it (EADDRINUSE, seen once in a full run).
_SVC_GIVEN_PORTS=" "
_svc_free_port() {
    local p low
    low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
    [ "$low" -gt 15000 ] 2>/dev/null || low=32768
    for _ in $(seq 1 200); do
        p=$(( 10000 + RANDOM % (low - 10000) ))
        case "$_SVC_GIVEN_PORTS" in *" $p "*) continue;; esac
        if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then _SVC_GIVEN_PORTS+="$p "; printf -v "$1" '%s' "$p"; return 0; fi
    done
    return 1
}

_svc_wait_port() {
    local port=$1 seconds=$2
    for _ in $(seq 1 $((seconds * 5))); do
        (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && return 0
        sleep 0.2
    done
    return 1
}

services_start() {
    SVC_DIR=${1:?state dir}
    mkdir -p "$SVC_DIR"
    services_install || { _svc_log "could not install Postgres/RabbitMQ"; return 1; }

    # --- Postgres: refuses to run as root, so it runs as the package's postgres user (or ours).
    local bindir pg_user
    bindir=$(_svc_pg_bindir)
    pg_user=$(id -un)
    if [ "$(id -u)" = 0 ]; then
        pg_user=postgres
        id postgres >/dev/null 2>&1 || useradd -r -M -s /usr/sbin/nologin postgres
    fi
    _svc_free_port SVC_PG_PORT
    SVC_PG_DATA="$SVC_DIR/pg"
    mkdir -p "$SVC_PG_DATA"
    chmod 755 "$SVC_DIR"
    [ "$(id -u)" = 0 ] && chown -R "$pg_user" "$SVC_PG_DATA"
    _svc_run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u "$pg_user" -- "$@"; else "$@"; fi; }
    _svc_run_pg "$bindir/initdb" -D "$SVC_PG_DATA" -U postgres --auth=trust -E UTF8 --no-sync >"$SVC_DIR/initdb.log" 2>&1 \
        || { cat "$SVC_DIR/initdb.log" >&2; return 1; }
    # Tuned for throwaway test data: durability off, enough connections for parallel test classes.
    cat >>"$SVC_PG_DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $SVC_PG_PORT
unix_socket_directories = ''
max_connections = 300
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 256MB
CONF
    _svc_run_pg "$bindir/pg_ctl" -D "$SVC_PG_DATA" -l "$SVC_PG_DATA/postgres.log" -w -t 60 start >/dev/null \
        || { cat "$SVC_PG_DATA/postgres.log" >&2; return 1; }
    export CONTROLPLANE_TEST_POSTGRES="Host=127.0.0.1;Port=$SVC_PG_PORT;Username=postgres;Password=postgres;Database=postgres"
    _svc_log "postgres on 127.0.0.1:$SVC_PG_PORT"

    # --- RabbitMQ: its own node name, ports, cookie and data so it never collides with another broker.
    local rbin
    rbin=$(_svc_rabbit_bin)
    _svc_free_port SVC_RMQ_PORT
    export RABBITMQ_NODENAME="cptest$SVC_RMQ_PORT@localhost"
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$SVC_RMQ_PORT
    _svc_free_port RABBITMQ_DIST_PORT && export RABBITMQ_DIST_PORT
    _svc_free_port ERL_EPMD_PORT && export ERL_EPMD_PORT
    export ERL_EPMD_ADDRESS=127.0.0.1
    # The Erlang distribution listener binds every interface unless told otherwise (epmd is bound above).
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_MNESIA_BASE="$SVC_DIR/rabbit/mnesia"
    export RABBITMQ_LOG_BASE="$SVC_DIR/rabbit/log"
    export RABBITMQ_ENABLED_PLUGINS_FILE="$SVC_DIR/rabbit/enabled_plugins"
    export RABBITMQ_CONFIG_FILE="$SVC_DIR/rabbit/rabbitmq"
    export RABBITMQ_PID_FILE="$SVC_DIR/rabbit/rabbit.pid"
    export HOME_BEFORE_RABBIT=$HOME
    mkdir -p "$SVC_DIR/rabbit/mnesia" "$SVC_DIR/rabbit/log"
    echo '[].' >"$RABBITMQ_ENABLED_PLUGINS_FILE"
    # max_message_size: the protocol's documented limit (docs/protocol.md, ProtocolLimits.MaxMessageBytes); the broker
    # refuses a larger publish, so an oversized table never reaches a subscriber's queue.
    printf 'loopback_users = none\nlog.console = false\nmax_message_size = 1048576\n' >"$SVC_DIR/rabbit/rabbitmq.conf"
    SVC_RMQ_HOME="$SVC_DIR/rabbit"
    HOME="$SVC_RMQ_HOME" "$rbin/rabbitmq-server" -detached >"$SVC_DIR/rabbit/start.log" 2>&1
    if ! _svc_wait_port "$SVC_RMQ_PORT" 90; then
        _svc_log "rabbitmq did not open 127.0.0.1:$SVC_RMQ_PORT"; cat "$SVC_DIR/rabbit/start.log" "$SVC_DIR"/rabbit/log/*.log 2>/dev/null | tail -40 >&2
        return 1
    fi
    export CONTROLPLANE_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$SVC_RMQ_PORT/"
    export CONTROLPLANE_TEST_SERVICES_DIR="$SVC_DIR"
    _svc_log "rabbitmq on 127.0.0.1:$SVC_RMQ_PORT"
    services_check_loopback || return 1
}

# Lists every listening TCP socket of the services started above (Postgres, RabbitMQ's node, epmd) and fails on any
# not bound to 127.0.0.1 or ::1. Sockets are matched to processes by inode, so nothing else on the machine counts.
services_check_loopback() {
    local pids=() pid inodes bad=0
    for pid in $(pgrep -f -- "$SVC_DIR" 2>/dev/null); do pids+=("$pid"); done
    for pid in $(pgrep -x epmd 2>/dev/null); do
        tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "ERL_EPMD_PORT=$ERL_EPMD_PORT" && pids+=("$pid")
    done
    inodes=$(for pid in "${pids[@]}"; do ls -l "/proc/$pid/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]/\1/p'; done | sort -u)
    [ -n "$inodes" ] || { _svc_log "no sockets found for the services"; return 1; }
    # /proc/net/tcp{,6}: local address is hex ip:port, state 0A is LISTEN, field 10 the inode.
    while read -r addr inode; do
        case "$addr" in
            0100007F:*|00000000000000000000000001000000:*) _svc_log "listening on loopback ${addr##*:} (hex port)";;
            *) _svc_log "NOT loopback: $addr (inode $inode)"; bad=1;;
        esac
    done < <(awk -v list="$(echo $inodes)" 'BEGIN { n = split(list, a, " "); for (i = 1; i <= n; i++) want[a[i]] = 1 }
                 FNR > 1 && $4 == "0A" && ($10 in want) { print $2, $10 }' /proc/net/tcp /proc/net/tcp6)
    return $bad
}

services_stop() {
    [ -n "${SVC_DIR:-}" ] || return 0
    if [ -n "${SVC_RMQ_HOME:-}" ]; then
        HOME="$SVC_RMQ_HOME" timeout 30 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" stop >/dev/null 2>&1 || true
        [ -f "${RABBITMQ_PID_FILE:-}" ] && kill "$(cat "$RABBITMQ_PID_FILE")" 2>/dev/null
        HOME="$SVC_RMQ_HOME" timeout 10 epmd -port "$ERL_EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
    if [ -n "${SVC_PG_DATA:-}" ] && [ -f "$SVC_PG_DATA/postmaster.pid" ]; then
        local bindir; bindir=$(_svc_pg_bindir)
        if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$bindir/pg_ctl" -D "$SVC_PG_DATA" -m immediate stop >/dev/null 2>&1
        else "$bindir/pg_ctl" -D "$SVC_PG_DATA" -m immediate stop >/dev/null 2>&1; fi
    fi
    rm -rf "$SVC_DIR"
    _svc_log "stopped"
}
