# Sourced by scripts/test: PostgreSQL and Redis on loopback for the scale-out tests.
# Installs them from Debian's packages where they are missing, starts them if they are
# not running, and exports STOAT_TEST_POSTGRES_URL and STOAT_TEST_REDIS_URL. Where that
# cannot be done (no apt, not root) it says so, and the scale-out tests skip.

PG_URL="postgresql://stoat:stoat@127.0.0.1:5432/stoat"
REDIS_PORT=6379

servers_root() {
    if [ "$(id -u)" = 0 ]; then echo ""; return; fi
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then echo "sudo -n"; return; fi
    echo "none"
}

install_servers() {
    local sudo="$1" missing=()
    command -v pg_ctlcluster >/dev/null || missing+=(postgresql)
    command -v redis-server >/dev/null || missing+=(redis-server)
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]} for the scale-out tests"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

start_postgres() {
    local sudo="$1" version
    version="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
        $sudo pg_createcluster "$version" main >/dev/null
    fi
    if ! pg_lsclusters -h | grep -q "^$version main .* online"; then
        # Debian's cluster listens on localhost only (listen_addresses' default).
        $sudo pg_ctlcluster "$version" main start
    fi
    as_postgres psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'stoat'" | grep -q 1 ||
        as_postgres psql -qc "CREATE ROLE stoat LOGIN CREATEDB PASSWORD 'stoat'"
    as_postgres psql -qtAc "SELECT 1 FROM pg_database WHERE datname = 'stoat'" | grep -q 1 ||
        as_postgres createdb -O stoat stoat
}

as_postgres() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -n -u postgres "$@"; fi
}

start_redis() {
    if redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then return; fi
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --daemonize yes \
        --save "" --appendonly no --logfile /tmp/stoat-test-redis.log
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && return
        sleep 0.1
    done
}

ensure_servers() {
    local sudo
    sudo="$(servers_root)"
    if [ "$sudo" = "none" ] || ! command -v apt-get >/dev/null; then
        say "cannot install PostgreSQL and Redis here (needs root and apt): scale-out tests skip"
        return 0
    fi
    install_servers "$sudo"
    start_postgres "$sudo"
    start_redis
    export STOAT_TEST_POSTGRES_URL="$PG_URL"
    export STOAT_TEST_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

ensure_servers
