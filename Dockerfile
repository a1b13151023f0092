# Beacon's container image. NOT BUILT on the machine this was written on (it has no container engine); a test
# (PackagingIT) checks that every variable, port, path and probe named here exists in Beacon.
# Build: docker build -t beacon .      Run: see compose.yaml, deploy/k8s/ and docs/deployment.md.

# --- build stage: the shaded jar ---
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY .mvn/ .mvn/
COPY mvnw pom.xml ./
RUN ./mvnw -B -q dependency:go-offline
COPY src/ src/
COPY conf/ conf/
RUN ./mvnw -B -q package -DskipTests

# --- run stage: JRE, a PostgreSQL 17 client for backups (pg_dump, psql), a non-root user ---
FROM eclipse-temurin:17-jre
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl ca-certificates gnupg \
 && install -d /usr/share/postgresql-common/pgdg \
 && curl -fsSL https://www.postgresql.org/media/keys/ACCC4CF8.asc -o /usr/share/postgresql-common/pgdg/apt.postgresql.org.asc \
 && . /etc/os-release \
 && echo "deb [signed-by=/usr/share/postgresql-common/pgdg/apt.postgresql.org.asc] https://apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" > /etc/apt/sources.list.d/pgdg.list \
 && apt-get update && apt-get install -y --no-install-recommends postgresql-client-17 \
 && apt-get purge -y gnupg && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 beacon \
 && useradd --system --uid 10001 --gid beacon --home-dir /app --shell /usr/sbin/nologin beacon
WORKDIR /app
COPY --from=build /src/target/beacon.jar /app/beacon.jar
COPY --from=build /src/conf/config.json /app/conf/config.json
RUN mkdir -p /app/data && chown -R beacon:beacon /app/data
USER 10001:10001
ENV BEACON_DATA_DIR=/app/data \
    BEACON_HTTP_PORT=8080 \
    BEACON_LOG_FORMAT=json \
    JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError"
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=10s --timeout=3s --start-period=120s --retries=3 \
  CMD curl -fsS http://localhost:8080/health/live || exit 1
ENTRYPOINT ["java", "-jar", "/app/beacon.jar"]
CMD ["run"]
