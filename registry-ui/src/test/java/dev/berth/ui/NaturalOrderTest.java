package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NaturalOrderTest {
    @Test
    void numbersCompareByValue() {
        List<String> tags = new ArrayList<>(List.of("1.10", "1.9", "1.2.3", "v10", "v2", "latest", "1.10.1",
                "1.10-rc1", "01.9", "2024-01-15", "2024-01-05", "a", "1"));
        Collections.shuffle(tags, new Random(1));
        tags.sort(NaturalOrder.INSTANCE);
        assertThat(tags).containsExactly("1", "1.2.3", "01.9", "1.9", "1.10", "1.10-rc1", "1.10.1", "2024-01-05",
                "2024-01-15", "a", "latest", "v2", "v10");
    }

    @Test
    void theOrderIsTotalAndConsistent() {
        Random random = new Random(7);
        String alphabet = "0019a.-";
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder();
            for (int j = random.nextInt(6); j >= 0; j--) {
                sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            values.add(sb.toString());
        }
        for (String a : values) {
            for (String b : values) {
                int ab = NaturalOrder.INSTANCE.compare(a, b);
                assertThat(Integer.signum(ab)).isEqualTo(-Integer.signum(NaturalOrder.INSTANCE.compare(b, a)));
                assertThat(ab == 0).isEqualTo(a.equals(b));
            }
        }
    }
}
