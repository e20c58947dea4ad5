"""The adapter catalogue (docs/oic-reference.md §4, §11.2-§11.3): per adapter, its connection properties and, per
security policy it offers, the security properties with Oracle's names, `requiredFlag` and
`propertyType`. Every "configured", "write-only" and "unknown property" decision reads it.

Sources: a production OIC 3 `GET /connections` (SOAP adapter; the OAuth, basic-auth and username-token
policies), Oracle's OIC 3 CI/CD samples (REST adapter `connectionType`/`connectionUrl`; OCI signature),
Oracle's adapter-builder page on `OCI_SIGNATURE_VERSION1`. The FTP and Oracle Database entries are
**(unverified)** readings of Oracle's adapter guides; correct them here.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PropertyDef:
    """One property an adapter or a policy defines."""

    name: str
    display: str
    type: str = "STRING"
    required: bool = False
    short_desc: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Policy:
    """A security policy an adapter offers, for inbound (SOURCE) or outbound (TARGET) use."""

    name: str
    scope: str
    properties: tuple[PropertyDef, ...] = ()


@dataclass(frozen=True)
class Adapter:
    """An adapter type: display name, connection properties and the policies it offers."""

    name: str
    display: str
    connection_properties: tuple[PropertyDef, ...]
    policies: tuple[Policy, ...] = field(default_factory=tuple)

    def policy(self, name: str | None) -> Policy | None:
        return next((p for p in self.policies if p.name == name), None)


USERNAME = PropertyDef("username", "Username", required=True, short_desc="Use UserName")
PASSWORD = PropertyDef("password", "Password", "PASSWORD", required=True, short_desc="Enter Password")
TOKEN_URI = PropertyDef("oauth.access.token.uri", "Access Token URI", required=True)
CLIENT_ID = PropertyDef("oauth.client.id", "Client Id", required=True)
CLIENT_SECRET = PropertyDef("oauth.client.secret", "Client Secret", "PASSWORD", required=True)
SCOPE = PropertyDef("oauth.scope", "Scope")
CLIENT_AUTHENTICATION = PropertyDef(
    "clientAuthentication",
    "Client Authentication",
    "CHOICE",
    choices=("client_credentials_as_header", "client_credentials_in_body"),
)
AUTH_CODE_URI = PropertyDef("oauth.auth.code.uri", "Authorization Code URI", required=True)

BASIC_AUTH = Policy("BASIC_AUTH", "SOURCE_AND_TARGET", (USERNAME, PASSWORD))
USERNAME_PASSWORD_TOKEN = Policy("USERNAME_PASSWORD_TOKEN", "SOURCE_AND_TARGET", (USERNAME, PASSWORD))
OAUTH_CLIENT_CREDENTIALS = Policy(
    "OAUTH_CLIENT_CREDENTIALS", "TARGET", (TOKEN_URI, CLIENT_ID, CLIENT_SECRET, SCOPE, CLIENT_AUTHENTICATION)
)
OAUTH_RESOURCE_OWNER = Policy(
    "OAUTH_RESOURCE_OWNER_PASSWORD_CREDENTIALS",
    "TARGET",
    (TOKEN_URI, CLIENT_ID, CLIENT_SECRET, USERNAME, PASSWORD, SCOPE, CLIENT_AUTHENTICATION),
)
OAUTH_AUTHORIZATION_CODE = Policy(
    "OAUTH_AUTHORIZATION_CODE_CREDENTIALS",
    "TARGET",
    (CLIENT_ID, CLIENT_SECRET, AUTH_CODE_URI, TOKEN_URI, SCOPE, CLIENT_AUTHENTICATION),
)
API_KEY = Policy(
    "API_KEY_BASED_AUTHENTICATION", "TARGET", (PropertyDef("apiKey", "API Key", "PASSWORD", required=True),)
)
OCI_SIGNATURE = Policy(
    "OCI_SIGNATURE_VERSION1",
    "TARGET",
    (
        PropertyDef("TenancyOCID", "Tenancy OCID", required=True),
        PropertyDef("UserOCID", "User OCID", required=True),
        PropertyDef("PrivateKey", "Private Key", "URL_OR_FILE", required=True),
        PropertyDef("FingerPrint", "Finger Print", required=True),
        PropertyDef("PassPhrase", "Pass Phrase", "PASSWORD"),
    ),
)
# The REST adapter's custom OAuth flows: the token request itself (a curl command) and how to read the
# token from its answer. Property names from Oracle's REST adapter guide **(unverified)**.
TOKEN_EXPRESSIONS = (
    PropertyDef("$access_token", "access_token", short_desc="Regular expression of the token in the answer"),
    PropertyDef("$refresh_token", "refresh_token"),
    PropertyDef("$expiry", "expiry"),
    PropertyDef("$token_type", "token_type"),
    PropertyDef("access_token_usage", "access_token_usage"),
)
CUSTOM_TWO_LEGGED = Policy(
    "CUSTOM_TWO_LEGGED",
    "TARGET",
    (PropertyDef("oauth.access.token.request", "Access Token Request", required=True), *TOKEN_EXPRESSIONS),
)
CUSTOM_THREE_LEGGED = Policy(
    "CUSTOM_THREE_LEGGED",
    "TARGET",
    (
        PropertyDef("oauth.authorization.request", "Authorization Request", required=True),
        PropertyDef("oauth.access.token.request", "Access Token Request", required=True),
        PropertyDef("oauth.refresh.token.request", "Refresh Token Request"),
        PropertyDef("$auth_code", "auth_code"),
        *TOKEN_EXPRESSIONS,
    ),
)
OAUTH_INBOUND = Policy("OAUTH_INBOUND", "SOURCE")
NONE = Policy("NONE", "SOURCE_AND_TARGET")
YES_NO = ("true", "false")

ADAPTERS: dict[str, Adapter] = {
    adapter.name: adapter
    for adapter in (
        Adapter(
            "rest",
            "REST",
            (
                PropertyDef(
                    "connectionType",
                    "Connection Type",
                    "CHOICE",
                    choices=("restUrl", "swaggerUrl", "openApiUrl", "raml"),
                ),
                PropertyDef("connectionUrl", "Connection URL", "URL", required=True),
                PropertyDef("tlsVersion", "TLS Version", "CHOICE", choices=("TLSv1.2", "TLSv1.3")),
                PropertyDef(
                    "enableTwoWaySSL", "Enable two way SSL for outbound connections", "CHOICE", choices=YES_NO
                ),
                PropertyDef("sslCertificateAlias", "Identity keystore alias name"),
            ),
            (
                BASIC_AUTH,
                OAUTH_CLIENT_CREDENTIALS,
                OAUTH_RESOURCE_OWNER,
                OAUTH_AUTHORIZATION_CODE,
                API_KEY,
                OCI_SIGNATURE,
                CUSTOM_TWO_LEGGED,
                CUSTOM_THREE_LEGGED,
                OAUTH_INBOUND,
                NONE,
            ),
        ),
        Adapter(
            "soap",
            "SOAP",
            (
                PropertyDef("targetWSDLURL", "WSDL URL", "URL_OR_FILE", required=True),
                PropertyDef("ServiceWSDL", "Service WSDL", "CHOICE", choices=("service.wsdl",)),
                PropertyDef(
                    "tlsVersion",
                    "Target Server's TLS version (Optional)",
                    "CHOICE",
                    choices=("TLSv1.1", "TLSv1.2"),
                ),
                PropertyDef(
                    "suppressTimestampForRequest",
                    "Suppress insertion of timestamp into the request (Optional)",
                    "CHOICE",
                    choices=YES_NO,
                ),
                PropertyDef(
                    "ignoreTimestampInResponse",
                    "Ignore timestamp in the response message (Optional)",
                    "CHOICE",
                    choices=YES_NO,
                ),
                PropertyDef(
                    "enableTwoWaySSL",
                    "Enable two way SSL for outbound connections (Optional)",
                    "CHOICE",
                    choices=YES_NO,
                ),
                PropertyDef("sslCertificateAlias", "Identity keystore alias name (Optional)"),
            ),
            (
                USERNAME_PASSWORD_TOKEN,
                OAUTH_INBOUND,
                OAUTH_CLIENT_CREDENTIALS,
                OAUTH_AUTHORIZATION_CODE,
                Policy("SAML", "SOURCE", (PropertyDef("username", "Username"),)),
                NONE,
                BASIC_AUTH,
            ),
        ),
        Adapter(
            "ftp",
            "FTP",
            (
                PropertyDef("ftpHostAddress", "FTP Server Host Address", required=True),
                PropertyDef("ftpPort", "FTP Server Port", required=True),
                PropertyDef("sftpConnection", "SFTP Connection", "CHOICE", choices=YES_NO),
                PropertyDef("ftpsConnection", "FTPS Connection", "CHOICE", choices=YES_NO),
            ),
            (
                Policy("FTP_SERVER_ACCESS_POLICY", "TARGET", (USERNAME, PASSWORD)),
                Policy(
                    "FTP_PUBLIC_KEY_AUTHENTICATION",
                    "TARGET",
                    (USERNAME, PropertyDef("privateKey", "Private Key", "URL_OR_FILE", required=True)),
                ),
            ),
        ),
        # Oracle Autonomous Database over TLS: the wallet (a zip) is a file property, its password a
        # PASSWORD one. Property names **(unverified)**: Oracle's adapter guide shows the fields, not their names.
        Adapter(
            "atpdatabase",
            "Oracle Autonomous Transaction Processing",
            (PropertyDef("serviceName", "Service Name", required=True),),
            (
                Policy(
                    "JDBC_OVER_SSL",
                    "TARGET",
                    (
                        PropertyDef("Wallet", "Wallet", "URL_OR_FILE", required=True),
                        PropertyDef("WalletPassword", "Wallet Password", "PASSWORD", required=True),
                        USERNAME,
                        PASSWORD,
                    ),
                ),
            ),
        ),
        Adapter(
            "oracledb",
            "Oracle Database",
            (
                PropertyDef("host", "Host", required=True),
                PropertyDef("port", "Port", required=True),
                PropertyDef("sid", "SID"),
                PropertyDef("serviceName", "Service Name"),
            ),
            (USERNAME_PASSWORD_TOKEN,),
        ),
    )
}
DEFAULT_ADAPTER = "rest"


def adapter(name: str) -> Adapter:
    """The catalogue entry of an adapter type (case-insensitive); REST for a type it does not know."""
    return ADAPTERS.get(name.lower(), ADAPTERS[DEFAULT_ADAPTER])
