package dev.beacon.http;

import dev.beacon.app.Routes;
import dev.beacon.support.BeaconExtension;
import dev.beacon.support.TestApp;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** openapi.yaml is well formed, its references resolve, and it names exactly the routes Beacon serves. */
@ExtendWith(BeaconExtension.class)
@Timeout(60)
class OpenApiContractIT {
  private static final Set<String> METHODS = Set.of("get", "put", "post", "patch", "delete");

  @SuppressWarnings("unchecked")
  private static Map<String, Object> spec() throws Exception {
    try (InputStream in = OpenApiContractIT.class.getResourceAsStream("/openapi.yaml")) {
      return new Yaml().load(in);
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theContractIsWellFormed_andEveryReferenceResolves() throws Exception {
    Map<String, Object> spec = spec();
    assertThat(spec.get("openapi")).isEqualTo("3.1.0");
    var paths = (Map<String, Map<String, Object>>) spec.get("paths");
    Set<String> operationIds = new TreeSet<>();
    paths.forEach((path, item) -> item.forEach((method, op) -> {
      if (METHODS.contains(method)) {
        var o = (Map<String, Object>) op;
        assertThat(o).as(method + " " + path).containsKeys("operationId", "responses", "summary");
        assertThat(operationIds.add((String) o.get("operationId"))).as("unique operationId").isTrue();
        assertThat((Map<String, Object>) o.get("responses")).isNotEmpty();
      }
    }));
    String text = new String(OpenApiContractIT.class.getResourceAsStream("/openapi.yaml").readAllBytes());
    Matcher m = Pattern.compile("\\$ref: '#/components/([A-Za-z]+)/([A-Za-z]+)'").matcher(text);
    var components = (Map<String, Map<String, Object>>) spec.get("components");
    while (m.find()) {
      assertThat(components.get(m.group(1))).as("components/" + m.group(1)).containsKey(m.group(2));
    }
  }

  @Test
  @SuppressWarnings("unchecked")
  void theContractAndTheRouterAgree(TestApp app) throws Exception {
    var paths = (Map<String, Map<String, Object>>) spec().get("paths");
    Set<String> documented = new TreeSet<>();
    paths.forEach((path, item) -> item.keySet().stream().filter(METHODS::contains).forEach(method ->
        documented.add(method.toUpperCase(Locale.ROOT) + " " + path.replaceAll("\\{([A-Za-z]+)}", ":$1"))));
    Router router = Routes.router(app.vertx, app.services, new StopActions());
    Set<String> served = new TreeSet<>();
    for (Route r : router.getRoutes()) {
      if (r.getPath() == null || r.methods() == null || r.getPath().startsWith("/static")
          || r.getPath().startsWith("/api/") && !r.isExactPath()) {
        continue;
      }
      for (HttpMethod m : r.methods()) {
        if (m != HttpMethod.HEAD && m != HttpMethod.OPTIONS) {
          served.add(m.name() + " " + r.getPath() + (r.isExactPath() ? "" : "*"));
        }
      }
    }
    // A prefix route (the pixel's /t/o/*) serves every documented path under its prefix.
    Set<String> prefixes = new TreeSet<>();
    served.stream().filter(s -> s.endsWith("*")).forEach(prefixes::add);
    served.removeAll(prefixes);
    for (String prefix : prefixes) {
      String p = prefix.substring(0, prefix.length() - 1);
      assertThat(documented).as("a documented path under " + p).anyMatch(d -> d.startsWith(p));
      documented.stream().filter(d -> d.startsWith(p)).forEach(served::add);
    }
    assertThat(served).as("routes served but not in openapi.yaml").isSubsetOf(documented);
    assertThat(documented).as("operations in openapi.yaml that no route serves").isSubsetOf(served);
    assertThat(List.copyOf(served)).isNotEmpty();
  }
}
