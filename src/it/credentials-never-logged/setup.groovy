// Docker's config.json with the auth registry's credentials, as `docker login` would leave it.
def fixtures = new Properties()
new File(basedir, '../../it-fixtures.properties').withInputStream { fixtures.load(it) }
def auth = "${fixtures['auth.user']}:${fixtures['auth.password']}".bytes.encodeBase64().toString()
def dir = new File(basedir, 'docker-config')
dir.mkdirs()
new File(dir, 'config.json').text = """{"auths": {"${authRegistry}": {"auth": "${auth}"}}}"""
return true
