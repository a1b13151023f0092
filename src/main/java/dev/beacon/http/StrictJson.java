package dev.beacon.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one reader of JSON from clients. Stricter than a plain decode, because each of these would otherwise be
 * stored as something the client did not send: a key given twice (which value wins?), a number outside what any
 * field holds ({@code 1e400}, {@code 1e-1000000000}, an integer beyond 64 bits), a string with a lone surrogate
 * (stored as {@code ?}), nesting deeper than {@value #MAX_DEPTH}. Those are a 400 naming the field; anything else
 * that is not JSON is "malformed". Integers come back as Integer or Long, other numbers as Double (as Vert.x's own
 * decoder gives them), so the validators downstream see the types they expect.
 */
public final class StrictJson {
  public static final int MAX_DEPTH = 32;
  /** Numbers whose decimal exponent lies outside ±this are out of every field's range. */
  static final int MAX_EXPONENT = 15;

  private static final JsonFactory FACTORY = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxNestingDepth(MAX_DEPTH).maxNumberLength(100).build())
      .build();

  private StrictJson() {}

  /** The object the bytes hold; null when they are not JSON or not an object; a Problem for the cases above. */
  public static JsonObject object(Buffer bytes) {
    try (JsonParser p = FACTORY.createParser(bytes.getBytes())) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Object> map = readObject(p, "");
      if (p.nextToken() != null) {
        return null;
      }
      return new JsonObject(map);
    } catch (StreamConstraintsException e) {
      throw Problem.malformed("The body nests deeper than " + MAX_DEPTH + " levels or holds an overlong number");
    } catch (IOException | RuntimeException e) {
      if (e instanceof Problem problem) {
        throw problem;
      }
      return null;
    }
  }

  private static Map<String, Object> readObject(JsonParser p, String path) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      String field = path.isEmpty() ? key : path + "." + key;
      checkUnicode(field, key);
      p.nextToken();
      Object value = readValue(p, field);
      if (map.containsKey(key)) {
        throw Problem.invalid(field, "appears more than once");
      }
      map.put(key, value);
    }
    if (t != JsonToken.END_OBJECT) {
      throw new IOException("unexpected token");
    }
    return map;
  }

  private static List<Object> readArray(JsonParser p, String path) throws IOException {
    List<Object> list = new ArrayList<>();
    int i = 0;
    while (p.nextToken() != JsonToken.END_ARRAY) {
      list.add(readValue(p, path + "[" + i++ + "]"));
    }
    return list;
  }

  private static Object readValue(JsonParser p, String field) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      throw new IOException("truncated");
    }
    return switch (t) {
      case START_OBJECT -> readObject(p, field);
      case START_ARRAY -> readArray(p, field);
      case VALUE_STRING -> {
        String s = p.getText();
        checkUnicode(field, s);
        yield s;
      }
      case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
        case INT -> p.getIntValue();
        case LONG -> p.getLongValue();
        default -> throw outOfRange(field);
      };
      case VALUE_NUMBER_FLOAT -> decimal(field, p.getDecimalValue());
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new IOException("unexpected token");
    };
  }

  private static Double decimal(String field, BigDecimal d) {
    if (d.signum() == 0) {
      return 0.0;
    }
    long exponent = (long) d.precision() - d.scale() - 1;
    if (exponent > MAX_EXPONENT || exponent < -MAX_EXPONENT) {
      throw outOfRange(field);
    }
    return d.doubleValue();
  }

  private static Problem outOfRange(String field) {
    return Problem.invalid(field, "is a number out of range");
  }

  private static void checkUnicode(String field, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw Problem.invalid(field, "is not valid Unicode (it holds a lone surrogate)");
      }
    }
  }
}
