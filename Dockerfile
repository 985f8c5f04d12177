# syntax=docker/dockerfile:1
# Build: a static binary (modernc SQLite is pure Go, so CGO_ENABLED=0).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" \
      -o /out/xabot ./cmd/xabot \
 && mkdir -p /out/data

# Run: no shell, no libc, not root. Dialogs, locales and tzdata are inside
# the binary (go:embed, time/tzdata).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/xabot /usr/local/bin/xabot
# A named volume inherits this directory's owner; without it /data is root's.
COPY --from=build --chown=65532:65532 /out/data /data
ENV XABOT_DB=/data/xabot.db \
    XABOT_HTTP_ADDR=0.0.0.0:8080 \
    XABOT_TZ=Asia/Ho_Chi_Minh
VOLUME ["/data"]
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/xabot"]
CMD ["serve"]
