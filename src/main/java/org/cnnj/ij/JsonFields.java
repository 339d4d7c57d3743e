package org.cnnj.ij;

import com.google.gson.JsonObject;

/** Fields of annotation tools' JSON read with a message that names the file, the shape and the field. */
final class JsonFields {
    private JsonFields() {}

    /** {@code o.field} as a number; {@code which} names the file and shape for the message when it is not one. */
    static double number(JsonObject o, String field, String which) {
        try {
            return o.get(field).getAsDouble();
        } catch (RuntimeException bad) {
            throw new IllegalArgumentException(which + ": \"" + field + "\" is missing or not a number");
        }
    }
}
