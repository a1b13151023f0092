package dev.beacon.http;

import java.util.Arrays;

/**
 * Splits a streamed body into records, one byte at a time and so in linear time, with memory for one record:
 * lines for NDJSON, RFC 4180 records for CSV (a line break inside a quoted field belongs to the record). Line ends
 * may be {@code \n}, {@code \r\n} or {@code \r}; a UTF-8 byte-order mark at the start is dropped. The bytes that
 * matter (quote, comma, CR, LF) are ASCII, so the split is right for UTF-8 and for the single-byte charsets alike.
 *
 * <p>A record longer than the cap is reported once by its first line and the bytes after that line are read
 * again as new records: one unbalanced quote costs its own line, never the rest of the file, and re-reading is
 * bounded by the cap, so the work stays linear in the body's size.
 */
final class Records {
  /** Receives records (without their line end) and the first line of each record over the cap. */
  interface Sink {
    void record(long line, byte[] bytes, int length);

    void tooLong(long line, boolean unterminatedQuote);
  }

  private enum State { FIELD_START, UNQUOTED, QUOTED, QUOTE_IN_QUOTED }

  private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

  private final boolean csv;
  private final int max;
  private final Sink sink;
  private byte[] rec = new byte[1024];
  private int length;
  private State state = State.FIELD_START;
  private long line = 1;
  private long recordLine = 1;
  private boolean skipping;
  private boolean swallowLf;
  private boolean crInRecord;
  private int bomSeen;

  Records(boolean csv, int max, boolean dropBom, Sink sink) {
    this.csv = csv;
    this.max = max;
    this.sink = sink;
    this.bomSeen = dropBom ? 0 : BOM.length;
  }

  /** Feeds the next bytes of the body. */
  void feed(byte[] bytes) {
    feed(bytes, 0, bytes.length);
  }

  private void feed(byte[] bytes, int from, int to) {
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (bomSeen < BOM.length) {
        if (b == BOM[bomSeen]) {
          bomSeen++;
          continue;
        }
        // Not a byte-order mark after all: the bytes matched so far were data.
        byte[] seen = Arrays.copyOf(BOM, bomSeen);
        bomSeen = BOM.length;
        feed(seen, 0, seen.length);
      }
      if (swallowLf) {
        swallowLf = false;
        if (b == '\n') {
          continue;
        }
      }
      if (skipping) {
        if (b == '\n' || b == '\r') {
          skipping = false;
          swallowLf = b == '\r';
          line++;
          recordLine = line;
        }
        continue;
      }
      boolean lineEnd = b == '\n' || b == '\r';
      if (lineEnd && (!csv || state != State.QUOTED)) {
        sink.record(recordLine, rec, length);
        reset();
        swallowLf = b == '\r';
        line++;
        recordLine = line;
        continue;
      }
      if (lineEnd) {
        // A line break inside a quoted field: \r\n counts as one line.
        if (b == '\n' && crInRecord) {
          crInRecord = false;
        } else {
          line++;
        }
        crInRecord = b == '\r';
      } else {
        crInRecord = false;
      }
      append(b);
      if (csv) {
        state = next(state, b);
      }
      if (length > max) {
        overflow(bytes, i + 1, to);
        return;
      }
    }
  }

  private static State next(State s, byte b) {
    return switch (s) {
      case FIELD_START -> b == '"' ? State.QUOTED : b == ',' ? State.FIELD_START : State.UNQUOTED;
      case UNQUOTED -> b == ',' ? State.FIELD_START : State.UNQUOTED;
      case QUOTED -> b == '"' ? State.QUOTE_IN_QUOTED : State.QUOTED;
      case QUOTE_IN_QUOTED -> b == '"' ? State.QUOTED : b == ',' ? State.FIELD_START : State.UNQUOTED;
    };
  }

  /** The record passed the cap: report it by its first line, then read again from the line after that one. */
  private void overflow(byte[] bytes, int from, int to) {
    boolean quoted = state == State.QUOTED || state == State.QUOTE_IN_QUOTED;
    sink.tooLong(recordLine, quoted);
    if (!replayAfterFirstLine()) {
      skipping = true;
    }
    feed(bytes, from, to);
  }

  /**
   * Drops the current record's first line and feeds the bytes after it again as new records; false (and nothing
   * kept) when the record has no line break.
   */
  private boolean replayAfterFirstLine() {
    int firstBreak = -1;
    for (int k = 0; k < length; k++) {
      if (rec[k] == '\n' || rec[k] == '\r') {
        firstBreak = k;
        break;
      }
    }
    long first = recordLine;
    if (firstBreak < 0) {
      reset();
      line = first;
      return false;
    }
    int start = firstBreak + 1;
    if (rec[firstBreak] == '\r' && start < length && rec[start] == '\n') {
      start++;
    }
    byte[] replay = Arrays.copyOfRange(rec, start, length);
    reset();
    line = first + 1;
    recordLine = line;
    feed(replay, 0, replay.length);
    return true;
  }

  /**
   * At the end of the body: the last record without a line end. A quote still open is reported by its record's
   * first line, and the lines after it are read again, so they are not lost.
   */
  void end() {
    if (skipping) {
      return;
    }
    while (csv && state == State.QUOTED) {
      sink.tooLong(recordLine, true);
      replayAfterFirstLine();
    }
    if (length > 0) {
      sink.record(recordLine, rec, length);
    }
    reset();
  }

  private void append(byte b) {
    if (length == rec.length) {
      rec = Arrays.copyOf(rec, Math.min(rec.length * 2, max + 2));
    }
    rec[length++] = b;
  }

  private void reset() {
    length = 0;
    state = State.FIELD_START;
    crInRecord = false;
    if (rec.length > 64 * 1024) {
      rec = new byte[1024];
    }
  }
}
