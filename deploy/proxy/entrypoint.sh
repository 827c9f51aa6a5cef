#!/bin/sh
# The proxy container's entrypoint: writes nginx's server block for healthtune, then runs nginx.
#
#   HEALTHTUNE_ROOT_PATH  the prefix the app is served under (default /hyperparameter-tuning/demo;
#                         empty or "/" serves it at the root). Must equal the app's setting.
#   HEALTHTUNE_UPSTREAM   the app's address on the internal network (default app:8000)
#   HEALTHTUNE_MAX_UPLOAD_MB  the largest dataset upload passed on (default 2048); other requests
#                         stay capped at 10 MB. Must equal the app's setting.
#
# The app's name is looked up at request time through the container's DNS server (from
# /etc/resolv.conf), so a restarted app container with a new address is found again without
# restarting the proxy. Works on the official nginx images and on Debian's nginx (POSIX sh, awk).
set -eu

prefix="${HEALTHTUNE_ROOT_PATH-/hyperparameter-tuning/demo}"
upstream="${HEALTHTUNE_UPSTREAM:-app:8000}"
max_upload_mb="${HEALTHTUNE_MAX_UPLOAD_MB:-2048}"
conf=/etc/nginx/conf.d/healthtune.conf

fail() { echo "healthtune-proxy: $*" >&2; exit 64; }
[ "$prefix" = "/" ] && prefix=""
case "$prefix" in
    "") ;;
    */) fail "HEALTHTUNE_ROOT_PATH must not end with '/', got '$prefix'" ;;
    /*) ;;
    *) fail "HEALTHTUNE_ROOT_PATH must start with '/', got '$prefix'" ;;
esac
if printf '%s' "$prefix" | grep -q '[^A-Za-z0-9._~/-]' || printf '%s' "$prefix" | grep -q '//'; then
    fail "HEALTHTUNE_ROOT_PATH may hold only letters, digits and . _ ~ - /, got '$prefix'"
fi
case "$max_upload_mb" in
    "" | *[!0-9]* | 0*) fail "HEALTHTUNE_MAX_UPLOAD_MB must be a whole number of megabytes >= 1, got '$max_upload_mb'" ;;
esac
if printf '%s' "$upstream" | grep -q '[^A-Za-z0-9._:-]'; then
    fail "HEALTHTUNE_UPSTREAM must be host:port, got '$upstream'"
fi

resolvers=$(awk '$1 == "nameserver" && $2 !~ /%/ { ip = $2; if (ip ~ /:/) ip = "[" ip "]"; printf "%s ", ip }' /etc/resolv.conf 2>/dev/null || true)
if [ -n "$resolvers" ]; then
    # a variable in proxy_pass makes nginx resolve the name per request (cached for 10 s)
    resolve="resolver ${resolvers}valid=10s ipv6=off;
    resolver_timeout 5s;
    set \$healthtune_app http://${upstream};"
    target='$healthtune_app'
else
    resolve=""
    target="http://${upstream}"
fi

# the proxy settings shared by the app's locations
cat > /etc/nginx/healthtune_proxy.conf <<CONF
proxy_pass ${target};
proxy_http_version 1.1;
proxy_set_header Host \$http_host;
proxy_set_header X-Real-IP \$remote_addr;
proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto \$healthtune_scheme;
proxy_set_header X-Forwarded-Prefix "${prefix}";
# WebSocket (the live job events): pass the upgrade on, and let a quiet stream stay open
proxy_set_header Upgrade \$http_upgrade;
proxy_set_header Connection \$healthtune_connection;
proxy_read_timeout 1h;
proxy_send_timeout 1h;
proxy_connect_timeout 10s;
add_header X-Content-Type-Options nosniff always;
add_header Referrer-Policy same-origin always;
add_header X-Frame-Options SAMEORIGIN always;
CONF

if [ -n "$prefix" ]; then
    redirects="location = / { return 302 ${prefix}/; }
    # {prefix} -> {prefix}/: the UI finds its base from the page URL, which must end in /
    location = ${prefix} { return 301 ${prefix}/\$is_args\$args; }"
    app_location="${prefix}/"
else
    redirects=""
    app_location="/"
fi

cat > "$conf" <<CONF
# written by healthtune-proxy-entrypoint at start; edit deploy/proxy/entrypoint.sh instead
map \$http_upgrade \$healthtune_connection { default upgrade; '' close; }
# keep the scheme a TLS-terminating proxy in front of this one reports
map \$http_x_forwarded_proto \$healthtune_scheme { default \$http_x_forwarded_proto; '' \$scheme; }
# \$uri, not \$request: the query string can carry the API token (browsers' WebSocket ?token=)
log_format healthtune '\$remote_addr - [\$time_local] "\$request_method \$uri \$server_protocol" '
                      '\$status \$body_bytes_sent \$request_time "\$http_user_agent"';

server {
    listen 80 default_server;
    server_name _;
    server_tokens off;
    absolute_redirect off;
    access_log /dev/stdout healthtune;
    client_max_body_size 10m;
    ${resolve}

    gzip on;
    gzip_proxied any;
    gzip_min_length 1024;
    gzip_types text/css application/javascript application/json image/svg+xml text/plain;

    # the proxy's own liveness (the container's HEALTHCHECK); the app's is ${prefix}/api/health
    location = /healthz { access_log off; default_type text/plain; return 200 "ok\n"; }
    ${redirects}

    # the UI's hashed bundles never change under their name
    location ^~ ${prefix}/assets/ {
        include /etc/nginx/healthtune_proxy.conf;
        add_header Cache-Control "public, max-age=31536000, immutable" always;
    }
    # dataset uploads: as large as the app takes, streamed to it as they arrive (no copy on disk here)
    location = ${prefix}/api/datasets/uploads {
        include /etc/nginx/healthtune_proxy.conf;
        client_max_body_size ${max_upload_mb}m;
        proxy_request_buffering off;
    }
    location ^~ ${app_location} {
        include /etc/nginx/healthtune_proxy.conf;
    }
    location / { return 404; }
}
CONF

# with an empty prefix the app's location is "/" itself: drop the catch-all duplicate
if [ -z "$prefix" ]; then
    sed -i '/location \/ { return 404; }/d' "$conf"
fi

nginx -t -q
echo "healthtune-proxy: serving http://${upstream}${prefix:-/} at ${prefix:-/} (resolver: ${resolvers:-none})"
exec "$@"
