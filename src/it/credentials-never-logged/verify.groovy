// Under mvn -X, nothing of the secret may appear in the build log: not the password, not the Basic
// value, not any Authorization header, while the log still says where the credentials came from.
def fixtures = new Properties()
new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }
def password = fixtures['auth.password']
def basic = "${fixtures['auth.user']}:${password}".bytes.encodeBase64().toString()
def log = new File(basedir, 'build.log').text

assert log.contains('[DEBUG]') : 'the build did not run with -X'
assert log.contains("credentials for ${authRegistry} from ") && log.contains('config.json')
assert log =~ /test\/oci-image:1\.0 linux\/amd64 sha256:[0-9a-f]{12}/
assert new File(basedir, 'target/images/index.json').isFile()
assert !log.contains(password) : 'the password is in the build log'
assert !log.contains(basic) : 'the Basic credentials are in the build log'
assert !(log =~ /(?i)authorization:/) : 'an Authorization header is in the build log'
return true
