package dev.beacon.debtors;

import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;

/**
 * The fields of one CSV record (RFC 4180, as spreadsheets write it: quoted fields, doubled quotes, line breaks
 * inside quotes), split by Apache Commons CSV. {@code LineImport} has already cut the body into records.
 */
final class Csv {
  private static final CSVFormat FORMAT = CSVFormat.RFC4180.builder()
      .setIgnoreEmptyLines(false)
      .setIgnoreSurroundingSpaces(true)
      .get();

  private Csv() {}

  /** The record's fields; throws IllegalArgumentException when it is not valid CSV. */
  static List<String> fields(String record) {
    try (CSVParser parser = CSVParser.parse(record, FORMAT)) {
      List<CSVRecord> all = parser.getRecords();
      if (all.size() != 1) {
        throw new IllegalArgumentException("is not one CSV record");
      }
      return all.get(0).toList();
    } catch (IOException | UncheckedIOException | IllegalStateException e) {
      throw new IllegalArgumentException("is not valid CSV (a quoted field must end with a quote followed by a comma "
          + "or the end of the line)");
    }
  }

  /** A header cell as a column key: case, spaces, underscores and hyphens do not matter ("First Name"). */
  static String columnKey(String header) {
    StringBuilder b = new StringBuilder(header.length());
    for (char c : header.strip().toCharArray()) {
      if (c != ' ' && c != '_' && c != '-' && c != '\uFEFF') {
        b.append(Character.toLowerCase(c));
      }
    }
    return b.toString().toLowerCase(Locale.ROOT);
  }
}
