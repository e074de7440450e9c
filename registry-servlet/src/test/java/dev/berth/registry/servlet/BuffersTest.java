package dev.berth.registry.servlet;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The download buffers' budget: bounded, and never lost to transfers that end badly. */
class BuffersTest {
    @Test
    void largeBuffersAreBoundedAndADiscardedOneFreesItsPlace() {
        Buffers pool = new Buffers(false);
        List<ByteBuffer> taken = new ArrayList<>();
        ByteBuffer b;
        while ((b = pool.large()) != null) {
            taken.add(b);
            assertThat(taken.size()).isLessThanOrEqualTo(Buffers.LARGE_BUDGET);
        }
        assertThat(taken).hasSize(Buffers.LARGE_BUDGET);
        pool.discard(taken.remove(0)); // a cut transfer: its buffer goes to the garbage collector
        ByteBuffer again = pool.large();
        assertThat(again).isNotNull();
        assertThat(pool.large()).isNull();
        pool.release(again);
        taken.forEach(pool::release);
        assertThat(pool.large()).isNotNull().extracting(ByteBuffer::capacity).isEqualTo(Buffers.LARGE);
        assertThat(pool.small().capacity()).isEqualTo(Buffers.SMALL);
    }

    @Test
    void aJvmWithoutRoomForALargeBufferGivesNoneAndKeepsItsBudget() {
        boolean[] full = {true};
        Buffers pool = new Buffers(size -> {
            if (size == Buffers.LARGE && full[0]) {
                throw new OutOfMemoryError("Cannot reserve " + size + " bytes of direct buffer memory");
            }
            return ByteBuffer.allocate(size);
        });
        for (int i = 0; i < Buffers.LARGE_BUDGET + 1; i++) {
            assertThat(pool.large()).isNull(); // the client writes from a small buffer instead
        }
        assertThat(pool.small().capacity()).isEqualTo(Buffers.SMALL);
        full[0] = false; // memory freed: every place in the budget is still there
        List<ByteBuffer> taken = new ArrayList<>();
        ByteBuffer b;
        while ((b = pool.large()) != null) {
            taken.add(b);
        }
        assertThat(taken).hasSize(Buffers.LARGE_BUDGET);
    }
}
