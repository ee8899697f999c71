// Starts podman's Docker-compatible API service on a unix socket in a fresh folder with its own vfs store,
// and hands its address to the build as -Dimages.dockerHost (invoker reads test.properties after this hook).
// verify.groovy stops it, and runs even when the build fails; should it never run (the outer build killed),
// --time makes the service exit by itself once it has been idle that long.
import java.nio.channels.SocketChannel
import java.net.StandardProtocolFamily
import java.net.UnixDomainSocketAddress
import java.nio.file.Files
import java.nio.file.Path

def podman = new File('/usr/bin/podman')
assert podman.canExecute() : '/usr/bin/podman is missing: install it with `apt-get install -y podman` (the project\'s .ci/run does this)'

// directly under /tmp with a short name: podman 4.3 refuses a runroot longer than 50 characters
Path dir = Files.createTempDirectory(Path.of('/tmp'), 'pm-')
new File(basedir, 'podman.dir').text = dir.toString() // first: verify.groovy deletes it whatever happens next
Path socket = dir.resolve('podman.sock')
Path conf = dir.resolve('storage.conf')
conf.toFile().text = "[storage]\ndriver = \"vfs\"\ngraphroot = \"${dir.resolve('root')}\"\nrunroot = \"${dir.resolve('run')}\"\n"
Path log = dir.resolve('service.log')

def builder = new ProcessBuilder(podman.path,
        '--root', dir.resolve('root').toString(),
        '--runroot', dir.resolve('run').toString(),
        '--tmpdir', dir.resolve('tmp').toString(),
        '--storage-driver', 'vfs', '--events-backend', 'none', '--cgroup-manager', 'cgroupfs',
        'system', 'service', '--time=300', "unix://${socket}".toString())
        .redirectInput(new File('/dev/null'))
        .redirectOutput(log.toFile())
        .redirectErrorStream(true)
builder.environment().put('TMPDIR', dir.toString())
builder.environment().put('CONTAINERS_STORAGE_CONF', conf.toString())
def process = builder.start()
new File(basedir, 'podman.pid').text = process.pid().toString()

long deadline = System.nanoTime() + 60_000_000_000L
boolean ready = false
while (!ready && System.nanoTime() < deadline && process.isAlive()) {
    if (Files.exists(socket)) {
        try {
            SocketChannel.open(StandardProtocolFamily.UNIX).withCloseable { it.connect(UnixDomainSocketAddress.of(socket)) }
            ready = true
        } catch (IOException notYet) {
            Thread.sleep(50)
        }
    } else {
        Thread.sleep(50)
    }
}
if (!ready) {
    process.destroyForcibly()
    process.waitFor()
    throw new IllegalStateException("podman system service did not listen on ${socket}:\n" + log.toFile().text)
}
new File(basedir, 'test.properties').text = "images.dockerHost=unix://${socket}\n"
return true
