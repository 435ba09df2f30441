package io.ncclffm.harness.matrix;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The matrix file's spelling of an enum constant: lower case, with '-' for '_' ({@code PER_RANK} is
 * {@code per-rank}, {@code KNOWN_GAP} {@code known-gap}). One rule for every word a matrix file uses, so that the
 * loader reads them and the reports write them the same way.
 */
public final class Words {

    private Words() {
    }

    /** The word for {@code constant}. */
    public static String of(Enum<?> constant) {
        return constant.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The constant whose word is {@code word}; empty for any other text. */
    public static <E extends Enum<E>> Optional<E> parse(Class<E> type, String word) {
        return Arrays.stream(type.getEnumConstants()).filter(c -> of(c).equals(word)).findFirst();
    }

    /** Every word of the type, in declaration order. */
    public static <E extends Enum<E>> List<String> all(Class<E> type) {
        return Arrays.stream(type.getEnumConstants()).map(Words::of).toList();
    }

    /** The choices in words for an error: {@code cell or host}, {@code waiver, known-gap or no-kernel-image}. */
    public static <E extends Enum<E>> String choices(Class<E> type) {
        List<String> words = all(type);
        if (words.size() == 1) return words.getFirst();
        return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.getLast();
    }
}
