package io.github.frozenimages.images.testing;

/**
 * Creates threads in the JVM's root thread group rather than the caller's. Maven's exec:java runs
 * main() in its own thread group, and afterwards interrupts and waits up to 15 s for every thread
 * left in it, then destroys the group; a shutdown hook created in a destroyed group cannot start.
 */
final class DetachedThreads {

    private DetachedThreads() {
    }

    static Thread newDaemon(String name, Runnable task) {
        Thread thread = new Thread(rootGroup(), task, name);
        thread.setDaemon(true);
        thread.setContextClassLoader(Thread.currentThread().getContextClassLoader());
        return thread;
    }

    static ThreadGroup rootGroup() {
        ThreadGroup group = Thread.currentThread().getThreadGroup();
        for (int depth = 0; depth < 100 && group.getParent() != null; depth++) {
            group = group.getParent();
        }
        return group;
    }
}
