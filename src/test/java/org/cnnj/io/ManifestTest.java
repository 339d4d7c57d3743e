package org.cnnj.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestTest {
    @TempDir
    Path dir;

    @Test
    void readsTheFoldersOwnManifestWithQuotedFields() throws Exception {
        Files.writeString(dir.resolve("manifest.csv"), "name,note,source\na,\"tissue, 63x\",kromp\nb,,bbbc039\n");
        assertEquals(Map.of("a", "kromp", "b", "bbbc039"), Manifest.sources(dir));
    }

    @Test
    void aSplitFolderTakesTheManifestAtTheDataSetsRoot() throws Exception {
        // nuclei-more ships manifest.csv beside train/ and val/, not inside them.
        Files.writeString(dir.resolve("manifest.csv"), "name,source,split\nk1,kromp,train\nb1,bbbc039,val\n");
        Path train = Files.createDirectories(dir.resolve("train"));
        assertEquals("kromp", Manifest.sources(train).get("k1"));
        assertEquals(Map.of(), Manifest.sources(Files.createDirectories(dir.resolve("other/deeper"))));
    }

    @Test
    void aManifestWithoutNameAndSourceColumnsSaysNothing() throws Exception {
        Files.writeString(dir.resolve("manifest.csv"), "file,lab\na,x\n");
        assertEquals(Map.of(), Manifest.sources(dir));
    }

    @Test
    void folderSourceNamesTheDataSetAndSplit() {
        assertEquals("nuclei-real/val", Manifest.folderSource(Path.of("/data/nuclei-real/val")));
    }
}
