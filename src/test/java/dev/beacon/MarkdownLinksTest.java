package dev.beacon;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every Markdown file of the repository links only inside the repository: relative links resolve to files that
 * exist (and, into a Markdown file, to one of its headings), and no text names a path above the repository.
 */
class MarkdownLinksTest {

  private static final Path ROOT = Path.of("").toAbsolutePath().normalize();
  private static final Set<String> SKIPPED_DIRS = Set.of(".git", "target", "data", "node_modules", ".mvn");
  private static final Pattern INLINE = Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern REFERENCE = Pattern.compile("^\\s{0,3}\\[[^\\]]+\\]:\\s*<?(\\S+?)>?(?:\\s.*)?$");
  private static final Pattern CODE_SPAN = Pattern.compile("`+[^`]*`+");
  private static final Pattern SCHEME = Pattern.compile("^[A-Za-z][A-Za-z0-9+.-]*:");
  private static final Pattern PARENT_PATH = Pattern.compile("(?<![\\w.])((?:\\.\\./)+[\\w][\\w./-]*)");
  private static final Pattern HEADING = Pattern.compile("^#{1,6}\\s+(.*?)\\s*#*\\s*$");

  @Test
  void everyRelativeLinkResolvesInsideTheRepository() throws IOException {
    List<String> problems = new ArrayList<>();
    List<Path> files = markdownFiles();
    assertThat(files).contains(ROOT.resolve("README.md"));
    for (Path file : files) {
      for (String target : links(Files.readAllLines(file))) {
        check(file, target).ifPresent(p -> problems.add(ROOT.relativize(file) + ": " + target + ": " + p));
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void noTextNamesAPathAboveTheRepository() throws IOException {
    List<String> problems = new ArrayList<>();
    for (Path file : markdownFiles()) {
      Matcher m = PARENT_PATH.matcher(Files.readString(file));
      while (m.find()) {
        if (!file.getParent().resolve(m.group(1)).normalize().startsWith(ROOT)) {
          problems.add(ROOT.relativize(file) + ": " + m.group(1));
        }
      }
    }
    assertThat(problems).isEmpty();
  }

  @Test
  void theCheckFindsBrokenLinks() {
    Path readme = ROOT.resolve("README.md");
    assertThat(check(readme, "docs/no-such-file.md")).isPresent();
    assertThat(check(readme, "../outside.md")).isPresent();
    assertThat(check(readme, "/docs/api.md")).isPresent();
    assertThat(check(readme, "docs/api.md#no-such-heading")).isPresent();
    assertThat(check(readme, "docs/api.md#authentication")).isEmpty();
    assertThat(check(readme, "https://example.com/x")).isEmpty();
    assertThat(links(List.of("see [a](b.md) and `[c](d.md)`", "```", "[e](f.md)", "```", "[g]: h.md")))
        .containsExactly("b.md", "h.md");
  }

  private static List<Path> markdownFiles() throws IOException {
    try (Stream<Path> walk = Files.walk(ROOT)) {
      return walk.filter(p -> p.toString().endsWith(".md") && Files.isRegularFile(p))
          .filter(p -> {
            Path rel = ROOT.relativize(p);
            for (Path part : rel) {
              if (SKIPPED_DIRS.contains(part.toString())) {
                return false;
              }
            }
            return true;
          })
          .sorted().toList();
    }
  }

  /** Link targets outside fenced code blocks and code spans. */
  static List<String> links(List<String> lines) {
    List<String> out = new ArrayList<>();
    boolean fenced = false;
    for (String line : lines) {
      if (line.trim().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        continue;
      }
      String text = CODE_SPAN.matcher(line).replaceAll("code");
      Matcher m = INLINE.matcher(text);
      while (m.find()) {
        out.add(m.group(1));
      }
      Matcher r = REFERENCE.matcher(text);
      if (r.matches()) {
        out.add(r.group(1));
      }
    }
    return out;
  }

  /** What is wrong with one link target of {@code file}, if anything. */
  static Optional<String> check(Path file, String target) {
    if (SCHEME.matcher(target).find()) {
      return Optional.empty();
    }
    int hash = target.indexOf('#');
    String path = hash < 0 ? target : target.substring(0, hash);
    String anchor = hash < 0 ? "" : target.substring(hash + 1);
    if (path.startsWith("/")) {
      return Optional.of("absolute path; link relative to the file");
    }
    Path resolved = path.isEmpty() ? file : file.getParent().resolve(path).normalize();
    if (!resolved.startsWith(ROOT)) {
      return Optional.of("outside the repository");
    }
    if (!Files.exists(resolved)) {
      return Optional.of("no such file");
    }
    if (!anchor.isEmpty() && resolved.toString().endsWith(".md")) {
      try {
        if (!anchors(Files.readAllLines(resolved)).contains(anchor)) {
          return Optional.of("no heading #" + anchor + " in " + ROOT.relativize(resolved));
        }
      } catch (IOException e) {
        return Optional.of("unreadable: " + e.getMessage());
      }
    }
    return Optional.empty();
  }

  /** GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
  static Set<String> anchors(List<String> lines) {
    Set<String> out = new HashSet<>();
    Map<String, Integer> seen = new HashMap<>();
    boolean fenced = false;
    for (String line : lines) {
      if (line.trim().startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      Matcher m = HEADING.matcher(line);
      if (fenced || !m.matches()) {
        continue;
      }
      String slug = m.group(1).toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
      int n = seen.merge(slug, 1, Integer::sum);
      out.add(n == 1 ? slug : slug + "-" + (n - 1));
    }
    return out;
  }
}
