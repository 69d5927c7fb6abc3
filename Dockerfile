# Intake: the release build in a small, non-root image.
#   docker build -t intake .
#   docker run -p 3000:3000 -v intake-data:/data --read-only --tmpfs /tmp intake
# Settings are the README's environment variables.

# Build with the same pinned tools as scripts/tools.sh (cargo-leptos,
# wasm-bindgen matching Cargo.lock, wasm-opt from package-lock.json).
FROM rust:1.95-slim-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && rustup toolchain install nightly --profile minimal
WORKDIR /src
# The tools first, so a code change does not reinstall them.
COPY scripts/tools.sh scripts/tools.sh
COPY Cargo.toml Cargo.lock package.json package-lock.json ./
RUN bash -c 'source scripts/tools.sh && ensure_build_tools'
COPY . .
RUN bash -c 'source scripts/tools.sh && LEPTOS_SITE_ROOT=target/site-release cargo leptos build --release --split' \
 && mkdir -p /out \
 && cp target/release/intake /out/intake \
 && cp -r target/site-release /out/site

FROM debian:bookworm-slim
# curl only for the health check; ca-certificates for SMTP over TLS and S3.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin intake \
 && mkdir -p /data \
 && chown intake:intake /data
COPY --from=build /out/intake /usr/local/bin/intake
COPY --from=build /out/site /usr/share/intake/site
ENV LEPTOS_SITE_ROOT=/usr/share/intake/site \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    INTAKE_DATA_DIR=/data \
    RUST_LOG=info,sqlx=warn
# Everything but /data (and a tmpfs /tmp) can be mounted read-only.
USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
  CMD ["curl", "-fsS", "-o", "/dev/null", "http://127.0.0.1:3000/readyz"]
ENTRYPOINT ["/usr/local/bin/intake"]
