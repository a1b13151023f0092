package dev.beacon.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArchiveFileTest {

  @Test
  void verify_acceptsTheFileAsWritten_andRefusesAnotherCountOrChecksum(@TempDir Path dir) throws Exception {
    Path file = gz(dir.resolve("page_views_202301.ndjson.gz"), "{\"id\":1}\n{\"id\":2}\n");
    String sha = sha256(file);
    assertThatCode(() -> ArchiveFiles.verify(file, 2, sha, 2)).doesNotThrowAnyException();
    assertThatThrownBy(() -> ArchiveFiles.verify(file, 2, sha, 3)).isInstanceOf(IOException.class).hasMessageContaining("3 in the partition");
    assertThatThrownBy(() -> ArchiveFiles.verify(file, 2, "00" + sha.substring(2), 2)).hasMessageContaining("checksum");
  }

  @Test
  void verify_refusesALineThatIsNotAJsonObject(@TempDir Path dir) throws Exception {
    Path file = gz(dir.resolve("email_events_202301.ndjson.gz"), "{\"id\":1}\nnot json\n");
    assertThatThrownBy(() -> ArchiveFiles.verify(file, 2, sha256(file), 2)).hasMessageContaining("line 2");
  }

  @Test
  void manifestOf_readsTheManifestBesideTheFile_andRefusesOtherNames(@TempDir Path dir) throws Exception {
    Path file = gz(dir.resolve("email_events_202302.ndjson.gz"), "{}\n");
    Archive.Manifest m = new Archive.Manifest("email_events", YearMonth.of(2023, 2), 1, sha256(file), file.getFileName().toString());
    Files.writeString(dir.resolve("email_events_202302.manifest.json"), m.toJson().encode());
    assertThat(ArchiveFiles.manifestOf(file)).isEqualTo(m);
    assertThatThrownBy(() -> ArchiveFiles.manifestOf(dir.resolve("x.csv"))).hasMessageContaining("not an archive file");
    assertThatThrownBy(() -> ArchiveFiles.manifestOf(gz(dir.resolve("page_views_202303.ndjson.gz"), "{}\n")))
        .hasMessageContaining("No manifest");
  }

  @Test
  void table_namesItsMonthlyPartitions_andRefusesOtherTables() {
    assertThat(Archive.Table.EMAIL_EVENTS.partition(YearMonth.of(2024, 3))).isEqualTo("email_events_202403");
    assertThat(Archive.Table.of("page_views").column).isEqualTo("timestamp");
    assertThatThrownBy(() -> Archive.Table.of("debtors")).isInstanceOf(IllegalArgumentException.class);
  }

  private static Path gz(Path file, String text) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
    return file;
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
