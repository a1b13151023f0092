package dev.beacon.ops;

import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The files of archives and backups: gzip NDJSON written with its SHA-256 and read back, manifests, and the fsyncs
 * that put a file and its name on disk before the database forgets the rows. Blocking: call from worker threads.
 */
final class ArchiveFiles {
  private static final Logger LOG = LoggerFactory.getLogger(ArchiveFiles.class);
  static final String GZ = ".ndjson.gz";
  static final String MANIFEST = ".manifest.json";

  private ArchiveFiles() {}

  record Written(long rows, String sha256) {}

  /**
   * {@code part}, or {@code part.1}, {@code part.2}, … when an archive of that name (or its manifest) is already
   * in the directory: a month archived again (after a restore, or rows that arrived late) keeps its earlier file.
   */
  static String freeName(Path dir, String part) {
    String base = part;
    for (int n = 1; Files.exists(dir.resolve(base + GZ)) || Files.exists(dir.resolve(base + MANIFEST)); n++) {
      base = part + "." + n;
    }
    return base;
  }

  /** Writes a small file through a temporary one, forced to disk, then renamed into place. */
  static void writeDurably(Path file, String text) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".part");
    Files.writeString(tmp, text);
    force(tmp);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** fsync of a file's content. */
  static void force(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  /** fsync of a directory, so that the names created or renamed in it survive a crash (Linux, macOS). */
  static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows")) {
        return; // Windows cannot open a directory as a channel; NTFS journals the rename itself.
      }
      throw e;
    }
  }

  /** Re-reads the file: the checksum and the number of lines must be those written and counted. */
  static void verify(Path file, long written, String sha256, long counted) throws IOException {
    MessageDigest digest = sha256();
    long lines = 0;
    try (InputStream raw = Files.newInputStream(file);
         DigestInputStream dis = new DigestInputStream(raw, digest);
         BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(dis), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.startsWith("{")) {
          throw new IOException(file + ": line " + (lines + 1) + " is not a JSON object");
        }
        lines++;
      }
      dis.transferTo(OutputStream.nullOutputStream());
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(sha256)) {
      throw new IOException(file + ": checksum " + actual + " differs from the " + sha256 + " written");
    }
    if (lines != written || lines != counted) {
      throw new IOException(file + ": " + lines + " lines, " + written + " written, " + counted + " in the partition");
    }
  }

  /** The manifest beside an archive file ({@code x.ndjson.gz} → {@code x.manifest.json}). */
  static Archive.Manifest manifestOf(Path file) throws IOException {
    String name = file.getFileName().toString();
    if (!name.endsWith(GZ)) {
      throw new IOException(file + " is not an archive file (*" + GZ + ")");
    }
    Path manifest = file.resolveSibling(name.substring(0, name.length() - GZ.length()) + MANIFEST);
    if (!Files.exists(manifest)) {
      throw new IOException("No manifest " + manifest + " beside " + file);
    }
    return Archive.Manifest.from(new JsonObject(Files.readString(manifest)));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The gzip writer; used by one worker task at a time. */
  static final class Sink {
    private final Path path;
    private final MessageDigest digest = sha256();
    private final BufferedWriter out;
    private long rows;

    Sink(Path path) throws IOException {
      this.path = path;
      this.out = new BufferedWriter(new OutputStreamWriter(new GZIPOutputStream(
          new DigestOutputStream(Files.newOutputStream(path), digest), 64 * 1024), StandardCharsets.UTF_8));
    }

    void write(List<String> lines) {
      try {
        for (String l : lines) {
          out.write(l);
          out.write('\n');
        }
        rows += lines.size();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    Written finish() throws IOException {
      out.close();
      force(path);
      return new Written(rows, HexFormat.of().formatHex(digest.digest()));
    }

    void abandon() {
      try {
        out.close();
      } catch (IOException ignored) {
        // the file is deleted next
      }
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        LOG.warn("Could not delete {}: {}", path, e.toString());
      }
    }
  }

  /** The gzip reader of a restore; used by one worker task at a time. */
  static final class Source {
    private final BufferedReader in;

    Source(Path path) throws IOException {
      in = new BufferedReader(new InputStreamReader(new GZIPInputStream(Files.newInputStream(path), 64 * 1024),
          StandardCharsets.UTF_8));
    }

    List<String> next(int max) throws IOException {
      List<String> lines = new ArrayList<>(max);
      String l;
      while (lines.size() < max && (l = in.readLine()) != null) {
        lines.add(l);
      }
      return lines;
    }

    void close() throws IOException {
      in.close();
    }
  }
}
