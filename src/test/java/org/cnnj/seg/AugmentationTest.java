package org.cnnj.seg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.cnnj.data.ImagingAugmentation;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    @Test
    void theOptionNamesItsChoices() {
        assertEquals(
                ImagingAugmentation.objects(), Augmentation.parse("objects").imaging());
        assertEquals(
                ImagingAugmentation.microscopes(),
                Augmentation.parse("microscopes").imaging());
        assertEquals(
                new ImagingAugmentation(0.25f, 0.2f, 0.1f, 0.1f, 0.15f, 0.05f, 0f),
                Augmentation.parse("mild").imaging(),
                "M3's probabilities (docs/segmentation.md)");
        assertNull(Augmentation.parse("basic").imaging());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Augmentation.parse("heavy"));
        assertTrue(e.getMessage().contains("basic, objects, microscopes or mild"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImagingAugmentation(1.5f, 0, 0, 0, 0, 0, 0));
    }
}
