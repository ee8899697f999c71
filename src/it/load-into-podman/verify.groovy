import groovy.json.JsonSlurper
import java.net.StandardProtocolFamily
import java.net.UnixDomainSocketAddress
import java.nio.ByteBuffer
import java.nio.channels.Channels
import java.nio.channels.SocketChannel
import java.util.concurrent.TimeUnit

def dir = new File(basedir, 'podman.dir').text.trim()
def socket = new File(dir, 'podman.sock')

/** GET over the service's socket, HTTP/1.0 so the answer ends with the connection; bounded by a watchdog. */
def get = { String path ->
    def channel = SocketChannel.open(StandardProtocolFamily.UNIX)
    def watchdog = new Thread({ try { Thread.sleep(30_000); channel.close() } catch (InterruptedException done) { } } as Runnable)
    watchdog.daemon = true
    watchdog.start()
    try {
        channel.connect(UnixDomainSocketAddress.of(socket.toPath()))
        channel.write(ByteBuffer.wrap("GET ${path} HTTP/1.0\r\nHost: docker\r\n\r\n".toString().getBytes('US-ASCII')))
        def answer = new String(Channels.newInputStream(channel).readAllBytes(), 'UTF-8')
        assert answer.startsWith('HTTP/1.') && answer.split(' ')[1] == '200' : answer
        return answer.substring(answer.indexOf('\r\n\r\n') + 4)
    } finally {
        watchdog.interrupt()
        channel.close()
    }
}

try {
    def reg = registry
    def fixtures = new Properties()
    new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }
    def images = new JsonSlurper().parseText(get('/images/json'))
    def expected = [("${reg}/test/docker-image:1.0".toString()): fixtures['docker-image.configDigest'],
                    ("${reg}/test/oci-image:1.0".toString()): fixtures['oci-image.configDigest']]
    expected.each { tag, id ->
        def image = images.find { it.Id == id }
        assert image != null : "the engine lists no image ${id}: ${images*.Id}"
        assert image.RepoTags.contains(tag) : "image ${id} has tags ${image.RepoTags}, not ${tag}"
    }

    def log = new File(basedir, 'build.log').text
    def archive = new File(basedir, 'target/images.tar').canonicalPath
    def folder = new File(basedir, 'target/images').canonicalPath
    assert log.contains("Loading ${archive} into the engine at unix://${socket}")
    assert log.contains("Loading ${folder} (tarred on the fly) into the engine at unix://${socket}")
    expected.keySet().each { tag ->
        assert log.count("[INFO] Loaded image: ${tag}\n".toString()) == 2 : "twice: from the archive and from the folder"
    }
} finally {
    // stop the service we started, and only it: the pid must still be a podman serving this folder
    def pidFile = new File(basedir, 'podman.pid')
    Optional<ProcessHandle> started = pidFile.isFile() ? ProcessHandle.of(pidFile.text.trim() as long) : Optional.empty()
    started.filter { h -> h.info().arguments().map { it.any { a -> a.contains(dir) } }.orElse(false) }
            .ifPresent { h ->
                h.destroy()
                try {
                    h.onExit().get(15, TimeUnit.SECONDS)
                } catch (Exception stillThere) {
                    h.destroyForcibly()
                    h.onExit().get(10, TimeUnit.SECONDS)
                }
            }
    new File(dir).deleteDir()
}
return true
