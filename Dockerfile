# The scraper image: `docker build -t scraper .`, then for example
# `docker run --rm --env-file scraper.env scraper run miso-cts --config /etc/scraper/collectors.yaml --environment prod`.
#
# Stage 1 builds a release binary with the Swift runtime linked in (--static-swift-stdlib), so the
# runtime stage needs only the C libraries below. scripts/check-runtime-libraries.sh checks that every
# library `ldd` lists for that binary comes from a package the runtime stage installs (CI runs it).
ARG SWIFT_VERSION=6.3
FROM swift:${SWIFT_VERSION}-bookworm AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      pkg-config libcurl4-openssl-dev zlib1g-dev libhiredis-dev librdkafka-dev libsqlite3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Package.swift first, so the dependency fetch is cached across source changes.
COPY Package.swift ./
RUN swift package resolve
COPY Sources Sources
COPY Tests Tests
RUN swift build -c release --static-swift-stdlib --product scraper \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/scraper" /out/usr/local/bin/scraper
COPY docs/man/scraper.1 /out/usr/local/share/man/man1/scraper.1
COPY collectors.yaml /out/etc/scraper/collectors.yaml

# Stage 2: only the runtime libraries, a non-root user, scraper as the entrypoint.
FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libcurl4 zlib1g libhiredis0.14 librdkafka1 libsqlite3-0 curl man-db \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --user-group --home-dir /var/lib/scraper --create-home --shell /usr/sbin/nologin scraper
COPY --from=build /out/ /
RUN mandb --quiet /usr/local/share/man || true
USER 10001:10001
WORKDIR /var/lib/scraper
EXPOSE 9464
# For `scraper serve --host 0.0.0.0` on its default port 9464: /healthz answers 200 while the scheduler
# runs. (A one-shot `run` container exits before the first probe.)
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:9464/healthz >/dev/null || exit 1
ENTRYPOINT ["scraper"]
CMD ["--help"]
