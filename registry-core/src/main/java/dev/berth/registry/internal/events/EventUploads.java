package dev.berth.registry.internal.events;

import dev.berth.registry.model.Descriptor;
import dev.berth.registry.model.Digest;
import dev.berth.registry.model.RepositoryName;
import dev.berth.registry.repository.Uploads;
import java.io.IOException;
import java.io.InputStream;

/** Uploads that report each commit as a blob push, however it was reached ({@code put}, {@code commit}, a chunk). */
record EventUploads(RepositoryName name, Uploads inner, EventEmitter emitter) implements Uploads {

    @Override
    public UploadStatus start() {
        return inner.start();
    }

    @Override
    public UploadStatus status(String id) {
        return inner.status(id);
    }

    @Override
    public ChunkWriter openChunk(String id, long expectedOffset, long length) {
        return new Reporting(inner.openChunk(id, expectedOffset, length));
    }

    @Override
    public void cancel(String id) {
        inner.cancel(id);
    }

    /** A chunk whose commit is reported. */
    private final class Reporting implements ChunkWriter {
        private final ChunkWriter chunk;

        Reporting(ChunkWriter chunk) {
            this.chunk = chunk;
        }

        @Override
        public int readFrom(InputStream in) throws IOException {
            return chunk.readFrom(in);
        }

        @Override
        public void pause() throws IOException {
            chunk.pause();
        }

        @Override
        public long size() {
            return chunk.size();
        }

        @Override
        public UploadStatus finish() throws IOException {
            return chunk.finish();
        }

        @Override
        public Descriptor commit(Digest digest) throws IOException {
            Descriptor blob = chunk.commit(digest);
            emitter.blobPushed(name, blob);
            return blob;
        }

        @Override
        public void close() {
            chunk.close();
        }
    }
}
