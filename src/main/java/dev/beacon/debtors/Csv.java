package dev.beacon.debtors;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV records, fed one physical line at a time: a quoted field may span lines, so a record is
 * complete only when its quotes balance.
 */
final class Csv {
  private final StringBuilder pending = new StringBuilder();

  /** Adds a line; answers the record's fields once it is complete, else null (more lines needed). */
  List<String> feed(String line) {
    if (pending.length() > 0) {
      pending.append('\n');
    }
    pending.append(line);
    if (!balanced(pending)) {
      return null;
    }
    List<String> fields = split(pending);
    pending.setLength(0);
    return fields;
  }

  boolean hasPending() {
    return pending.length() > 0;
  }

  private static boolean balanced(CharSequence s) {
    int quotes = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '"') {
        quotes++;
      }
    }
    return quotes % 2 == 0;
  }

  static List<String> split(CharSequence s) {
    List<String> out = new ArrayList<>();
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < s.length() && s.charAt(i + 1) == '"') {
          field.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(field.toString());
        field.setLength(0);
      } else {
        field.append(c);
      }
    }
    out.add(field.toString());
    return out;
  }
}
