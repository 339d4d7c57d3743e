package org.cnnj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The README is a front door a newcomer can read, and every page it leads to is there, with its pictures. */
class DocsTest {
    /** Markdown links and images: [text](target) and ![alt](target). */
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

    @Test
    void theReadmeIsShort() throws IOException {
        long lines = Files.readAllLines(Path.of("README.md")).size();
        assertTrue(lines <= 250, "README.md has " + lines + " lines; details belong in docs/");
    }

    @Test
    void everyRelativeLinkAndPictureResolves() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("models/README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(pages::add);
        }
        assertTrue(pages.size() > 8, "the docs pages: " + pages);
        List<String> broken = new ArrayList<>();
        int checked = 0;
        for (Path page : pages) {
            for (String target : relativeLinks(Files.readString(page))) {
                checked++;
                if (!Files.exists(
                        page.toAbsolutePath().getParent().resolve(target).normalize()))
                    broken.add(page + " -> " + target);
            }
        }
        assertEquals(List.of(), broken, "links and pictures that lead nowhere");
        assertTrue(checked > 20, "expected the pages to link to each other and to pictures, found " + checked);
    }

    @Test
    void theLinkCheckCatchesABrokenLink() {
        assertEquals(
                List.of("docs/x.md", "a.png"),
                relativeLinks("see [x](docs/x.md#part), ![a](a.png), [web](https://imagej.net) and [top](#top)"));
    }

    /** The relative targets of a page's links and images, without their #fragment. */
    static List<String> relativeLinks(String markdown) {
        List<String> out = new ArrayList<>();
        Matcher m = LINK.matcher(markdown);
        while (m.find()) {
            String target = m.group(1);
            if (target.startsWith("#") || target.matches("^[a-z]+:.*")) continue;
            out.add(target.replaceFirst("#.*$", ""));
        }
        return out;
    }
}
