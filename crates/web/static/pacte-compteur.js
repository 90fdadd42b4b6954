// Pacte — the character counters of the long text fields. The page prints the count when it
// is rendered and the server checks the bound; this script only keeps the count current while
// typing. Loaded as a file of the application (no inline script: Content-Security-Policy).
(function () {
  "use strict";
  function enChiffres(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, "\u202f");
  }
  var zones = document.querySelectorAll("textarea[data-compteur]");
  Array.prototype.forEach.call(zones, function (zone) {
    var sortie = document.getElementById(zone.getAttribute("data-compteur"));
    if (!sortie) return;
    var max = parseInt(zone.getAttribute("maxlength"), 10);
    function majour() {
      // Characters as the server counts them (code points), not UTF-16 units.
      var n = Array.from(zone.value).length;
      sortie.textContent = enChiffres(n) + " caractère(s) sur " + enChiffres(max);
    }
    zone.addEventListener("input", majour);
  });
})();
