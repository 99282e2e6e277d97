# syntax=docker/dockerfile:1
# Query Sniper: build with Maven, run on a small Temurin 21 JRE as a non-root user. The config and the
# credentials are mounted at run time, never baked in:
#
#   docker build -t query-sniper .
#   docker run -v ./query-sniper.conf:/etc/query-sniper/query-sniper.conf:ro \
#              -v ./credentials.conf:/run/secrets/credentials.conf:ro query-sniper
FROM maven:3.9-eclipse-temurin-21 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    mvn -B -q -DskipTests -Dstyle.color=never package -pl sniper-daemon -am

FROM eclipse-temurin:21-jre
RUN groupadd --system --gid 10001 sniper \
 && useradd --system --uid 10001 --gid sniper --home-dir /var/lib/query-sniper --shell /usr/sbin/nologin sniper \
 && mkdir -p /var/lib/query-sniper /etc/query-sniper \
 && chown sniper:sniper /var/lib/query-sniper
COPY --from=build /src/sniper-daemon/target/query-sniper.jar /opt/query-sniper/query-sniper.jar
USER 10001:10001
WORKDIR /var/lib/query-sniper
VOLUME ["/var/lib/query-sniper"]
# Metrics, health and the status page (query-sniper.http.listen; beyond loopback it needs a token).
EXPOSE 9742
# A bounded heap that fits 1,000 databases, and G1 marking only when the heap is three quarters full, as
# bin/query-sniper runs the daemon (bench/fleet); JAVA_OPTS adds to or overrides it.
ENV JAVA_OPTS="-Xmx256m -XX:InitiatingHeapOccupancyPercent=75 -XX:-G1UseAdaptiveIHOP"
# The JRE image has no curl: bash's /dev/tcp asks /livez.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9742 && printf 'GET /livez HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
# SIGTERM stops within the daemon's budget (about 20 s at most, normally a second or two): `docker stop -t 30`.
STOPSIGNAL SIGTERM
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /opt/query-sniper/query-sniper.jar \"$@\"", "query-sniper"]
CMD ["run", "--config", "/etc/query-sniper/query-sniper.conf", "--credentials", "/run/secrets/credentials.conf", "--log-format", "json"]
