package dev.berth.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.berth.registry.error.ErrorCode;
import dev.berth.registry.error.RegistryException;
import dev.berth.registry.model.Digest;
import dev.berth.registry.repository.Uploads;
import dev.berth.registry.spi.storage.StorageDriver;
import dev.berth.registry.spi.storage.StorageWriter;
import dev.berth.registry.storage.inmemory.InMemoryStorageDriver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * Every storage writer an upload opens is ended (closed, committed or cancelled), also when storage fails while the
 * last bytes of a chunk are handed to it: a writer left open holds a file, and on S3 a local buffer file and a
 * multipart upload, until the process exits.
 */
class UploadWritersEndTest {
    private final AtomicBoolean failWrites = new AtomicBoolean();
    private final List<TrackedWriter> writers = new CopyOnWriteArrayList<>();
    private final Registry registry = Registry.builder().storage(tracking(new InMemoryStorageDriver())).build();

    @Test
    void aChunkWhoseBytesCannotBeStoredEndsItsWriter() throws Exception {
        Uploads uploads = registry.repository("team/app").uploads();
        String id = uploads.start().id();
        failWrites.set(true);
        assertThatThrownBy(() -> uploads.append(id, new ByteArrayInputStream(new byte[100])))
                .isInstanceOfSatisfying(RegistryException.class, e -> assertThat(e.code())
                        .isEqualTo(ErrorCode.UNAVAILABLE));
        assertThat(writers).isNotEmpty().allSatisfy(w -> assertThat(w.ended).as("writer of %s ended", w.path)
                .isTrue());
    }

    @Test
    void aFinalChunkWhoseBytesCannotBeStoredEndsItsWriterAndTheUploadCanBeResumed() throws Exception {
        Uploads uploads = registry.repository("team/app").uploads();
        String id = uploads.start().id();
        byte[] blob = new byte[100];
        failWrites.set(true);
        assertThatThrownBy(() -> uploads.commit(id, Digest.sha256(blob), new ByteArrayInputStream(blob)))
                .isInstanceOf(RegistryException.class);
        assertThat(writers).allSatisfy(w -> assertThat(w.ended).as("writer of %s ended", w.path).isTrue());

        failWrites.set(false);
        assertThat(uploads.commit(id, Digest.sha256(blob), new ByteArrayInputStream(blob)).size()).isEqualTo(100);
    }

    private StorageDriver tracking(StorageDriver real) {
        return (StorageDriver) Proxy.newProxyInstance(StorageDriver.class.getClassLoader(),
                new Class<?>[] {StorageDriver.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(real, args);
                        if (result instanceof StorageWriter w) {
                            TrackedWriter tracked = new TrackedWriter((String) args[0], w);
                            writers.add(tracked);
                            return tracked;
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private final class TrackedWriter implements StorageWriter {
        final String path;
        final StorageWriter w;
        volatile boolean ended;

        TrackedWriter(String path, StorageWriter w) {
            this.path = path;
            this.w = w;
        }

        @Override
        public void write(byte[] buffer, int offset, int len) throws IOException {
            if (failWrites.get()) {
                throw new IOException("disk on fire");
            }
            w.write(buffer, offset, len);
        }

        @Override
        public long size() {
            return w.size();
        }

        @Override
        public void commit() throws IOException {
            ended = true;
            w.commit();
        }

        @Override
        public void cancel() throws IOException {
            ended = true;
            w.cancel();
        }

        @Override
        public void close() throws IOException {
            ended = true;
            w.close();
        }
    }
}
