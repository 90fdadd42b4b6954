"""Signs in to a running `pacte demo` with a demonstration account and prints a fresh API token.

Usage: python jeton.py <base URL> <e-mail> <password>

Goes through the pages a person would use: the sign-in form, then « Mes jetons d'API ».
Uses the standard library only (the virtualenv's Python, before or without schemathesis).
"""

import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request


def main() -> int:
    base, email, mot_de_passe = sys.argv[1:4]
    cookies = http.cookiejar.CookieJar()
    client = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    client.addheaders = [("Origin", base)]

    def poster(chemin: str, champs: dict) -> str:
        corps = urllib.parse.urlencode(champs).encode()
        with client.open(base + chemin, data=corps) as r:
            return r.read().decode()

    poster("/connexion", {"email": email, "mot_de_passe": mot_de_passe})
    with client.open(base + "/compte/jetons") as r:
        page = r.read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    if not csrf:
        print("connexion refusée : pas de formulaire de jeton", file=sys.stderr)
        return 1
    page = poster("/compte/jetons", {"csrf": csrf.group(1), "libelle": "schemathesis", "jours": "1"})
    jeton = re.search(r'id="nouveau-jeton">([^<]+)<', page)
    if not jeton:
        print("jeton non créé", file=sys.stderr)
        return 1
    print(jeton.group(1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
