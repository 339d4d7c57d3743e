package org.cnnj.ij;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import java.io.IOException;
import java.nio.file.Path;
import org.cnnj.io.Hdf5Images;

/** An HDF5 image ({@link Hdf5Images}: ilastik, Fiji's ilastik plugin, h5py, BigDataViewer) as an ImageJ hyperstack. */
final class Hdf5Opener {
    private Hdf5Opener() {}

    static ImagePlus open(Path file) throws IOException {
        Hdf5Images.Image image = Hdf5Images.read(file, s -> {
            // The planes, and the file's values beside them while they are copied.
            long planes = (long) s.channels() * s.slices() * s.frames();
            ImageIoTiffs.requireFree(
                    file,
                    s.width() + " × " + s.height() + " pixels" + (planes > 1 ? " × " + planes + " planes" : ""),
                    s.bytes() + s.readBytes());
        });
        ImageStack stack = new ImageStack(image.width(), image.height());
        for (Object p : image.planes()) stack.addSlice(null, p);
        ImagePlus imp = new ImagePlus(file.getFileName().toString(), stack);
        imp.setDimensions(image.channels(), image.slices(), image.frames());
        if (image.channels() > 1 || image.slices() > 1 || image.frames() > 1) imp.setOpenAsHyperStack(true);
        if (image.voxel() != null) {
            Calibration cal = imp.getCalibration();
            cal.pixelWidth = image.voxel()[0];
            cal.pixelHeight = image.voxel()[1];
            cal.pixelDepth = image.voxel()[2];
            cal.setUnit(image.unit());
        }
        return imp;
    }
}
