package dev.beacon.support;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.impl.ClientPhase;
import io.vertx.ext.web.client.impl.HttpContext;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import org.yaml.snakeyaml.Yaml;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * openapi.yaml enforced on every request and answer an integration test makes through {@link TestApp#client}: a
 * JSON answer must match the schema documented for its operation, status and media type (an undeclared field
 * fails where the object is closed), a status the operation does not document fails, a 2xx from an undocumented
 * operation fails, and a JSON request the contract refuses must not be accepted with a 2xx. Failures name the
 * method, path, status and JSON pointer, so a gap is quick to fix. Runs only in tests, never on the hot path.
 */
public final class Contract {
  private static final String BASE = "https://beacon.dev/openapi.yaml";
  private static volatile Contract instance;
  /** Statuses every operation may answer with a problem+json (authentication, size, media type, limits, load). */
  static final Set<Integer> COMMON_PROBLEMS = Set.of(400, 401, 403, 405, 413, 415, 429, 503);

  private final JsonObject spec;
  private final SchemaRepository repository;
  private final List<Op> operations = new ArrayList<>();
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();

  /** One documented operation: method, path template as a pattern, its JSON pointer in the spec. */
  private record Op(String method, String template, Pattern pattern, int params, String pointer, JsonObject node) {}

  private Contract() {
    try (InputStream in = Contract.class.getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> yaml = new Yaml().load(in);
      spec = new JsonObject(yaml).copy();
    } catch (Exception e) {
      throw new IllegalStateException("openapi.yaml cannot be read", e);
    }
    repository = SchemaRepository.create(new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE)
        .setOutputFormat(OutputFormat.Basic));
    repository.dereference(BASE, JsonSchema.of(spec.copy()));
    JsonObject paths = spec.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      if (!(paths.getValue(path) instanceof JsonObject item)) {
        continue;
      }
      for (String method : item.fieldNames()) {
        if (!List.of("get", "put", "post", "patch", "delete", "head").contains(method)
            || !(item.getValue(method) instanceof JsonObject)) {
          continue;
        }
        String regex = "^" + path.replaceAll("\\{[^/]+}", "[^/]+") + "$";
        int params = path.split("\\{", -1).length - 1;
        operations.add(new Op(method.toUpperCase(Locale.ROOT), path, Pattern.compile(regex), params,
            "/paths/" + escape(path) + "/" + method, item.getJsonObject(method)));
      }
    }
  }

  public static Contract get() {
    if (instance == null) {
      synchronized (Contract.class) {
        if (instance == null) {
          instance = new Contract();
        }
      }
    }
    return instance;
  }

  /** The web-client interceptor: validates each exchange when its answer arrives. */
  public void intercept(HttpContext<?> ctx) {
    if (ctx.phase() == ClientPhase.DISPATCH_RESPONSE) {
      List<String> problems = check(ctx.request(), ctx.body(), ctx.response());
      if (!problems.isEmpty()) {
        ctx.fail(new AssertionError("openapi.yaml contract: " + String.join("; ", problems)));
        return;
      }
    }
    ctx.next();
  }

  /** Everything wrong with this exchange, empty when it follows the contract. */
  public List<String> check(HttpRequest<?> request, Object requestBody, HttpResponse<?> response) {
    String method = request.method().name();
    String path = request.uri().split("\\?", 2)[0];
    int status = response.statusCode();
    String where = method + " " + path + " → " + status;
    List<String> problems = new ArrayList<>();
    Op op = find(method.equals("HEAD") ? "GET" : method, path);
    if (op == null) {
      // Static assets are not API, and the pixel's prefix route serves every path under /t/o/ (as
      // OpenApiContractIT treats prefix routes).
      if (status < 400 && !path.startsWith("/static/") && !path.startsWith("/t/o/")) {
        problems.add(where + ": the operation is not in openapi.yaml");
      }
      return problems;
    }
    String responsePointer = responsePointer(op, status);
    if (responsePointer == null && COMMON_PROBLEMS.contains(status)) {
      // Any operation may refuse with one of the common problems (openapi.yaml's info says so).
      responsePointer = "/components/responses/Problem";
    }
    if (responsePointer == null) {
      problems.add(where + ": status " + status + " is not documented at " + op.pointer() + "/responses");
      return problems;
    }
    if (!method.equals("HEAD")) {
      checkResponseBody(where, responsePointer, response.getHeader("Content-Type"), response.bodyAsBuffer(), problems);
    }
    if (status < 300) {
      checkRequestBody(where, op, request, requestBody, problems);
    }
    return problems;
  }

  private Op find(String method, String path) {
    Op best = null;
    for (Op op : operations) {
      if (op.method().equals(method) && op.pattern().matcher(path).matches()
          && (best == null || op.params() < best.params())) {
        best = op;
      }
    }
    return best;
  }

  /** The pointer of the response object documented for this status ({@code $ref}s followed), or null. */
  private String responsePointer(Op op, int status) {
    JsonObject responses = op.node().getJsonObject("responses", new JsonObject());
    String key = responses.containsKey(Integer.toString(status)) ? Integer.toString(status)
        : responses.containsKey(status / 100 + "XX") ? status / 100 + "XX"
        : responses.containsKey("default") ? "default" : null;
    if (key == null) {
      return null;
    }
    String pointer = op.pointer() + "/responses/" + escape(key);
    JsonObject r = responses.getJsonObject(key);
    while (r != null && r.containsKey("$ref")) {
      pointer = r.getString("$ref").substring(1);
      r = (JsonObject) at(pointer);
    }
    return pointer;
  }

  /** What is wrong with this answer to {@code method path} (for tests of the contract itself). */
  public List<String> checkAnswer(String method, String path, int status, String contentType, Buffer body) {
    List<String> problems = new ArrayList<>();
    String where = method + " " + path + " → " + status;
    Op op = find(method, path);
    String pointer = op == null ? null : responsePointer(op, status);
    if (pointer == null) {
      problems.add(where + ": not documented");
      return problems;
    }
    checkResponseBody(where, pointer, contentType, body, problems);
    return problems;
  }

  private void checkResponseBody(String where, String pointer, String contentType, Buffer body,
                                 List<String> problems) {
    String type = mediaType(contentType);
    if (!isJson(type)) {
      return;
    }
    JsonObject content = ((JsonObject) at(pointer)).getJsonObject("content");
    if (content == null || !content.containsKey(type)) {
      problems.add(where + ": " + type + " is not a documented content type at " + pointer);
      return;
    }
    if (!content.getJsonObject(type).containsKey("schema")) {
      return;
    }
    Object json;
    try {
      json = body == null || body.length() == 0 ? null : Buffer.buffer(body.getBytes()).toJsonValue();
    } catch (RuntimeException e) {
      problems.add(where + ": the answer is not JSON");
      return;
    }
    validate(where + " answer", pointer + "/content/" + escape(type) + "/schema", json, problems);
  }

  private void checkRequestBody(String where, Op op, HttpRequest<?> request, Object body, List<String> problems) {
    String type = mediaType(request.headers().get("Content-Type"));
    Object json = body instanceof JsonObject o ? o : body instanceof JsonArray a ? a : null;
    if (json == null && body instanceof Buffer b && isJson(type) && b.length() > 0) {
      try {
        json = b.toJsonValue();
      } catch (RuntimeException e) {
        return;
      }
    }
    if (json == null && body instanceof MultiMap) {
      return;
    }
    JsonObject rb = op.node().getJsonObject("requestBody");
    if (json == null || rb == null) {
      return;
    }
    String pointer = op.pointer() + "/requestBody";
    while (rb.containsKey("$ref")) {
      pointer = rb.getString("$ref").substring(1);
      rb = (JsonObject) at(pointer);
    }
    String declared = type.isEmpty() ? "application/json" : type;
    JsonObject content = rb.getJsonObject("content", new JsonObject());
    if (!content.containsKey(declared)) {
      problems.add(where + ": the request's " + declared + " body is not documented at " + pointer
          + " yet was accepted");
      return;
    }
    validate(where + " request (accepted by the server)", pointer + "/content/" + escape(declared) + "/schema",
        json, problems);
  }

  private void validate(String what, String schemaPointer, Object json, List<String> problems) {
    Validator v = validators.computeIfAbsent(schemaPointer, p -> repository.validator(
        JsonSchema.of(new JsonObject().put("$ref", BASE + "#" + p.replace("{", "%7B").replace("}", "%7D"))),
        new JsonSchemaOptions().setDraft(Draft.DRAFT202012).setBaseUri(BASE).setOutputFormat(OutputFormat.Basic)));
    OutputUnit out = v.validate(json);
    if (!Boolean.TRUE.equals(out.getValid())) {
      List<String> errors = new ArrayList<>();
      if (out.getErrors() != null) {
        for (OutputUnit e : out.getErrors()) {
          if (e.getError() != null && e.getError().startsWith("A subschema had errors")) {
            continue;
          }
          errors.add("at " + (e.getInstanceLocation() == null || e.getInstanceLocation().isEmpty() ? "/"
              : e.getInstanceLocation()) + ": " + e.getError() + " (schema "
              + (e.getAbsoluteKeywordLocation() != null ? e.getAbsoluteKeywordLocation().replace(BASE, "")
              : e.getKeywordLocation()) + ")");
        }
      }
      problems.add(what + " does not match " + schemaPointer + ": " + (errors.isEmpty() ? out.getError()
          : String.join(", ", errors.subList(0, Math.min(5, errors.size())))));
    }
  }

  private Object at(String pointer) {
    Object node = spec;
    for (String part : pointer.substring(1).split("/")) {
      String key = part.replace("~1", "/").replace("~0", "~");
      node = node instanceof JsonObject o ? o.getValue(key) : null;
    }
    return node;
  }

  private static String escape(String s) {
    return s.replace("~", "~0").replace("/", "~1");
  }

  private static String mediaType(String contentType) {
    return contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
  }

  private static boolean isJson(String type) {
    return type.equals("application/json") || type.endsWith("+json");
  }
}
