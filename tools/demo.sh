#!/bin/bash
#
# The demo: one nginx on 127.0.0.1 with the module loaded, a marketplace
# (listings and checkout), a stand-in backend, a sample national registry
# served from examples/demo/registry/ and the regulator's view of the
# signed report log.  It sends a few listings and a checkout, prints what
# happened to each, checks the report log and stays up.
#
#   tools/demo.sh start     (make demo)       stop any old demo, start, show
#   tools/demo.sh stop      (make demo-stop)  stop it
#
# Environment:
#   DEMO_PORT=8080            the marketplace; the next three ports are the
#                             backend, the registry and the regulator's view
#   DEMO_BACKEND_PORT, DEMO_REGISTRY_PORT, DEMO_REGULATOR_PORT
#                             each of those on its own
#   DEMO_DIR=build/demo       prefix: configuration, logs, keys, report log
#   NGINX=/usr/sbin/nginx     PASSPORT_MODULE=build/ngx_http_passport_module.so

set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
EXAMPLES=$ROOT/examples/demo

DEMO_DIR=${DEMO_DIR:-$ROOT/build/demo}
case $DEMO_DIR in /*) ;; *) DEMO_DIR=$ROOT/$DEMO_DIR ;; esac

DEMO_PORT=${DEMO_PORT:-8080}
API_PORT=$DEMO_PORT
BACKEND_PORT=${DEMO_BACKEND_PORT:-$((DEMO_PORT + 1))}
REGISTRY_PORT=${DEMO_REGISTRY_PORT:-$((DEMO_PORT + 2))}
REGULATOR_PORT=${DEMO_REGULATOR_PORT:-$((DEMO_PORT + 3))}

NGINX=${NGINX:-/usr/sbin/nginx}
MODULE=${PASSPORT_MODULE:-$ROOT/build/ngx_http_passport_module.so}
VERIFY=$ROOT/build/passport-verify

PIDFILE=$DEMO_DIR/logs/nginx.pid
API=http://127.0.0.1:$API_PORT

BOLD= OFF=
if [ -t 1 ]; then BOLD=$(printf '\033[1m') OFF=$(printf '\033[0m'); fi


die() {
    echo "demo: $*" >&2
    exit 1
}


# ------------------------------------------------------------- stop

# the pid of the demo's nginx master, if it runs
master_pid() {
    local pid
    [ -f "$PIDFILE" ] || return 1
    pid=$(cat "$PIDFILE" 2>/dev/null) || return 1
    case $pid in ''|*[!0-9]*) return 1 ;; esac
    [ -r "/proc/$pid/cmdline" ] || return 1
    # an nginx master of this prefix, not a process that got the pid since
    tr '\0' ' ' < "/proc/$pid/cmdline" \
        | grep -q "^nginx: master process .* -p $DEMO_DIR/ " || return 1
    echo "$pid"
}

# the processes whose parent is $1 (the fields after the ")" that ends
# the command name: state, parent)
children() {
    local f stat rest
    for f in /proc/[0-9]*/stat; do
        stat=$(cat "$f" 2>/dev/null) || continue
        rest=${stat##*) }
        set -- "$1" $rest
        [ "${3:-}" = "$1" ] && echo "${stat%% *}"
    done
}

is_nginx() {
    tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null | grep -q '^nginx'
}

alive() {
    [ -d "/proc/$1" ] && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null
}

stop() {
    local pid kids i
    pid=$(master_pid) || { echo "demo: not running"; return 0; }
    kids=$(children "$pid")
    kill -QUIT "$pid" 2>/dev/null
    for i in $(seq 100); do
        alive "$pid" || break
        sleep 0.1
    done
    if alive "$pid"; then
        echo "demo: nginx $pid did not quit within 10 s, killing it" >&2
        kill -KILL "$pid" 2>/dev/null
    fi
    for i in $kids; do
        alive "$i" && is_nginx "$i" && kill -KILL "$i" 2>/dev/null
    done
    rm -f "$PIDFILE"
    echo "demo: stopped (nginx $pid)"
}


# ------------------------------------------------------------- start

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

check_ports() {
    local p busy=
    for p in "$API_PORT" "$BACKEND_PORT" "$REGISTRY_PORT" "$REGULATOR_PORT"
    do
        port_in_use "$p" && busy="$busy $p"
    done
    [ -z "$busy" ] && return 0
    cat >&2 <<EOF
demo: port(s)$busy on 127.0.0.1 already in use by another program.
      The demo uses $API_PORT (marketplace), $BACKEND_PORT (backend),
      $REGISTRY_PORT (registry) and $REGULATOR_PORT (regulator).  Free them, or pick
      other ports, e.g.:  make demo DEMO_PORT=9080
EOF
    exit 1
}

configure() {
    local user=
    [ "$(id -u)" = 0 ] && user='user root;    # loopback only; files in build/'
    rm -rf "$DEMO_DIR"
    mkdir -p "$DEMO_DIR"/conf "$DEMO_DIR"/logs "$DEMO_DIR"/tmp \
             "$DEMO_DIR"/keys "$DEMO_DIR"/reports || exit 1

    openssl genpkey -algorithm ed25519 -out "$DEMO_DIR/keys/report-key.pem" \
        2>/dev/null || die "openssl genpkey failed"
    openssl pkey -in "$DEMO_DIR/keys/report-key.pem" -pubout \
        -out "$DEMO_DIR/keys/report-pub.pem" || die "openssl pkey failed"

    sed -e "s|@MODULE@|$MODULE|g" -e "s|@DEMO_DIR@|$DEMO_DIR|g" \
        -e "s|@EXAMPLES@|$EXAMPLES|g" -e "s|@USER@|$user|g" \
        -e "s|@API_PORT@|$API_PORT|g" -e "s|@BACKEND_PORT@|$BACKEND_PORT|g" \
        -e "s|@REGISTRY_PORT@|$REGISTRY_PORT|g" \
        -e "s|@REGULATOR_PORT@|$REGULATOR_PORT|g" \
        "$EXAMPLES/nginx.conf.in" > "$DEMO_DIR/conf/nginx.conf" || exit 1
}

run_nginx() {
    local out i
    out=$("$NGINX" -p "$DEMO_DIR/" -e "$DEMO_DIR/logs/error.log" -c conf/nginx.conf -t 2>&1) \
        || die "the configuration does not pass nginx -t:
$out"
    out=$("$NGINX" -p "$DEMO_DIR/" -e "$DEMO_DIR/logs/error.log" -c conf/nginx.conf 2>&1) \
        || die "nginx did not start:
$out"
    for i in $(seq 100); do
        port_in_use "$API_PORT" && port_in_use "$REGULATOR_PORT" && return 0
        sleep 0.1
    done
    die "nginx does not answer on $API_PORT; see $DEMO_DIR/logs/error.log"
}


# ------------------------------------------------------------- showing

# JSON as sent (one line), indented, members in their order
pretty() {
    perl -CS -0777 -ne '
        my ($d, $in, $esc, $out) = (0, 0, 0, "");
        for my $c (split //) {
            if ($in) {
                $out .= $c;
                if ($esc) { $esc = 0 } elsif ($c eq "\\") { $esc = 1 }
                elsif ($c eq "\"") { $in = 0 }
                next;
            }
            next if $c =~ /\s/;
            if ($c eq "\"") { $in = 1; $out .= $c }
            elsif ($c eq "{" || $c eq "[") { $d++; $out .= $c . "\n" . "  " x $d }
            elsif ($c eq "}" || $c eq "]") { $d--; $out .= "\n" . "  " x $d . $c }
            elsif ($c eq ",") { $out .= ",\n" . "  " x $d }
            elsif ($c eq ":") { $out .= ": " }
            else { $out .= $c }
        }
        $out =~ s/\{\n\s*\}/{}/g; $out =~ s/\[\n\s*\]/[]/g;
        print $out, "\n";' 2>/dev/null
}

indent() {
    sed 's/^/    /'
}

header() {
    printf '\n%s== %s %s%s\n' "$BOLD" "$1" \
        "$(printf '=%.0s' $(seq $((66 - ${#1}))))" "$OFF"
}

backend_lines() {
    wc -l < "$DEMO_DIR/logs/backend.log" 2>/dev/null || echo 0
}

# scenario NUMBER TITLE WHY PATH FILE [curl header...]: send, show, verdict
scenario() {
    local num=$1 title=$2 why=$3 path=$4 file=$5 hdr=
    shift 5
    local before after status ctype verdict reasons lang h
    local out=$DEMO_DIR/tmp/answer
    for h in "$@"; do hdr="$hdr -H '$h'"; done

    header "$num. $title"
    echo "$why" | fold -s -w 72 | sed "s/ *\$//"
    echo
    echo "  \$ curl -s $API$path -H 'Content-Type: application/json'$hdr \\"
    echo "         --data-binary @examples/demo/requests/${file}"
    indent < "$EXAMPLES/requests/$file"

    before=$(backend_lines)
    set -- -H 'Content-Type: application/json' "${@/#/-H}"
    status=$(curl -s -o "$out.body" -D "$out.head" -w '%{http_code}' \
                  --max-time 10 "$@" --data-binary @"$EXAMPLES/requests/$file" \
                  "$API$path") || { status=000; FAILED=$((FAILED + 1)); }
    after=$(backend_lines)

    ctype=$(hval content-type)
    verdict=$(hval x-passport-verdict)
    reasons=$(hval x-passport-reasons)
    lang=$(hval content-language)

    echo
    echo "  ${BOLD}-> $status, verdict ${verdict:-?}${reasons:+: $reasons}$OFF"
    case $ctype in
    application/problem+json*)
        echo "  the seller reads (Content-Language: ${lang:-?}):"
        pretty < "$out.body" | indent
        ;;
    *)
        echo "  the answer:"
        indent < "$out.body"
        ;;
    esac
    if [ "$after" = "$before" ]; then
        echo "  the backend received: nothing, the request was stopped before it"
    else
        echo "  the backend received it (its answer above shows what it got)"
    fi
}

# a header of the last answer, by lower-case name
hval() {
    tr -d '\r' < "$DEMO_DIR/tmp/answer.head" \
        | awk -v n="$1" 'BEGIN { IGNORECASE = 1 }
                         tolower(substr($0, 1, index($0, ":") - 1)) == n {
                             sub(/^[^:]*:[ \t]*/, ""); print; exit }'
}

show_reports() {
    local log=$DEMO_DIR/reports/passport-reports.log

    header "The regulator's report log"
    echo "Every flagged or blocked request above is a record of"
    echo "$log,"
    echo "hash-chained and signed with Ed25519.  Anyone with the public key"
    echo "checks it:"
    echo
    echo "  \$ build/passport-verify --key ${DEMO_DIR#$ROOT/}/keys/report-pub.pem \\"
    echo "         ${log#$ROOT/}"
    "$VERIFY" --key "$DEMO_DIR/keys/report-pub.pem" "$log" > "$log.verify" 2>&1
    FAILED=$((FAILED + $?))
    indent < "$log.verify"

    header "The regulator's view: flagged sellers"
    echo "  \$ curl -s 'http://127.0.0.1:$REGULATOR_PORT/reports?view=sellers'"
    curl -s --max-time 10 "http://127.0.0.1:$REGULATOR_PORT/reports?view=sellers" \
        | pretty | indent

    header "Metrics"
    echo "What Prometheus scrapes (passport_metrics), the counters that moved:"
    echo
    echo "  \$ curl -s $API/metrics | grep -v '^#' | grep -v ' 0\$'"
    curl -s --max-time 10 "$API/metrics" | grep -v '^#' | grep -v ' 0$' \
        | indent
}

show_end() {
    header "Your turn"
    cat <<EOF
The demo keeps running.  Send your own listing:

  curl -si $API/api/listings -H 'Content-Type: application/json' \\
      --data-binary '{"seller_id":"0314409058-002","items":[{"sku":"X1","trace_code":"8934673577038"}]}'

Add -H 'Accept-Language: vi' for Vietnamese.  The registry is the files in
examples/demo/registry/ (edit one and send again: there is no cache).
Configuration: ${DEMO_DIR#$ROOT/}/conf/nginx.conf, logs: ${DEMO_DIR#$ROOT/}/logs/.

Stop it with:  make demo-stop
EOF
}

scenarios() {
    scenario 1 "A good listing" \
"A distributor's branch (tax code 0314409058-002) lists a lot of condensed \
milk, with its expiry date, and a rice cooker by its serial number as a GS1 \
Digital Link.  The registry knows the seller and both codes, and the brand \
owners authorise this seller: the listing reaches the backend unchanged." \
        /api/listings 1-good.json

    scenario 2 "A malformed trace code" \
"The GTIN's last digit is its check digit: 8934673577039 should end in 8.  \
A typo like this is caught locally, without asking the registry." \
        /api/listings 2-malformed-code.json

    scenario 3 "An expired lot" \
"Lot LOT2402 expired on 31 January 2026 (AI 17), before today in Vietnam." \
        /api/listings 3-expired-lot.json

    scenario 4 "An unknown seller" \
"0101234565 is a well-formed tax code (its check digit is right), but the \
registry has no such enterprise, and the brand owner never authorised it." \
        /api/listings 4-unknown-seller.json

    scenario 5 "A suspended seller, in Vietnamese" \
"The registry records enterprise 0100233488 as suspended.  The seller asked \
for Vietnamese (Accept-Language: vi)." \
        /api/listings 5-suspended-seller.json 'Accept-Language: vi'

    scenario 6 "A recalled lot" \
"A household business (citizen ID 001099012345) lists lot LOT2311 of the \
condensed milk, which the brand owner has recalled." \
        /api/listings 6-recalled-code.json

    scenario 7 "A product owned by another company" \
"The same household business lists a fish sauce whose brand owner \
(0800587203) authorised only another distributor." \
        /api/listings 7-other-owner.json

    scenario 8 "An origin that is not the registry's" \
"The branch lists an imported green tea (owner: a Japanese company, LEI \
5493001KJTIIGC8Y1R12) as made in Vietnam; the registry says Japan." \
        /api/listings 8-origin-mismatch.json

    scenario 9 "A checkout, flagged" \
"An order with three lines from three sellers.  The second seller's \
enterprise is dissolved, and the third line's serial number has been \
revoked.  Checkout runs in flag mode: the order reaches the backend, with \
the verdict and the reasons in headers, and the backend decides." \
        /api/checkout 9-checkout.json
}

start() {
    [ -x "$NGINX" ] || die "$NGINX not found: run 'make deps' as root"
    [ -f "$MODULE" ] || die "$MODULE not found: run 'make'"
    [ -x "$VERIFY" ] || die "$VERIFY not found: run 'make'"
    command -v curl >/dev/null || die "curl not found: run 'make deps' as root"
    command -v openssl >/dev/null || die "openssl not found: run 'make deps'"

    stop >/dev/null
    check_ports
    configure
    run_nginx

    header "passport demo"
    cat <<EOF
nginx $("$NGINX" -v 2>&1 | sed 's|.*/||') with ngx_http_passport_module, on 127.0.0.1:
  $API_PORT  the marketplace: POST /api/listings (enforce), /api/checkout (flag)
  $BACKEND_PORT  a stand-in backend that answers with what it received
  $REGISTRY_PORT  the sample national registry: examples/demo/registry/*.json
  $REGULATOR_PORT  the regulator's view of the signed report log
EOF
    FAILED=0
    scenarios
    show_reports
    show_end
    [ "$FAILED" = 0 ] || die "something failed above: see $DEMO_DIR/logs/error.log"
}

case ${1:-} in
start)  start ;;
stop)   stop ;;
*)      echo "usage: $0 start | stop" >&2; exit 2 ;;
esac
