# Sourced by scripts/test.sh and scripts/venv.sh: the system packages the project needs.
#
# TEST_PACKAGES is the one list of Debian/Ubuntu packages the test suite needs; to add one
# (postgresql, redis-server, nats-server, ...), add its apt name here.
TEST_PACKAGES=(tmux openssh-client openssh-server chromium postgresql redis-server)

# ensure_packages NAME...: install the named packages that are missing, with apt-get as
# root (or through sudo); when that is not possible, say which apt-get line to run and
# exit 1.
ensure_packages() {
    local missing=() name
    if ! command -v dpkg-query >/dev/null; then
        echo "$0: not a Debian or Ubuntu system: install these yourself if missing: $*" >&2
        return 0
    fi
    for name in "$@"; do
        [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$name" 2>/dev/null)" = "ii " ] ||
            missing+=("$name")
    done
    [ ${#missing[@]} -eq 0 ] && return 0

    local line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
    local as=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
            as=(sudo)
        else
            echo "$0: these system packages are missing: ${missing[*]}" >&2
            echo "$0: installing them needs root; as root, run:" >&2
            echo "    $line" >&2
            echo "$0: then run $0 again." >&2
            exit 1
        fi
    fi
    echo "$0: installing ${missing[*]} with apt-get" >&2
    if ! { DEBIAN_FRONTEND=noninteractive "${as[@]}" apt-get update -qq &&
           DEBIAN_FRONTEND=noninteractive "${as[@]}" apt-get install -y -qq \
               --no-install-recommends "${missing[@]}" >/dev/null; }; then
        echo "$0: apt-get could not install ${missing[*]}; as root, run:" >&2
        echo "    $line" >&2
        exit 1
    fi
}
