package org.cnnj.fiji;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.awt.Dimension;
import java.awt.Point;
import java.awt.Rectangle;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Result windows open beside the input image, not stacked over it. */
class ImageJ1CommandTest {
    private static final Rectangle SCREEN = new Rectangle(0, 0, 1920, 1000);

    @Test
    void resultsOpenInARowRightOfTheInputThenBelowIt() {
        Rectangle input = new Rectangle(100, 120, 540, 560);
        List<Dimension> sizes = List.of(new Dimension(540, 560), new Dimension(540, 560), new Dimension(540, 560));
        List<Point> at = ImageJ1Command.beside(input, sizes, SCREEN);
        assertEquals(new Point(648, 120), at.get(0));
        assertEquals(new Point(1196, 120), at.get(1));
        // No room right of the second: the third goes under the input (clamped to the screen's bottom).
        assertEquals(new Point(100, 1000 - 560), at.get(2));
        for (int i = 0; i < 2; i++)
            assertFalse(new Rectangle(at.get(i), sizes.get(i)).intersects(input), "window " + i + " covers the input");
    }

    @Test
    void withNoRoomRightOrBelowAResultGoesLeftOfTheInput() {
        // A table under the image, then a small one: right of the table and under it there is no room.
        Rectangle input = new Rectangle(1040, 110, 400, 430);
        List<Dimension> sizes = List.of(new Dimension(700, 330), new Dimension(500, 160));
        List<Point> at = ImageJ1Command.beside(input, sizes, SCREEN);
        assertEquals(new Point(1040, 548), at.get(0));
        assertEquals(new Point(1040 - 8 - 500, 110), at.get(1));
        Rectangle first = new Rectangle(at.get(0), sizes.get(0)), second = new Rectangle(at.get(1), sizes.get(1));
        assertFalse(first.intersects(second) || second.intersects(input));
    }
}
