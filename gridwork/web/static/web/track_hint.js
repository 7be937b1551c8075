// Name the category's default track in the track picker, so the choice is visible before sending.
(function () {
  var category = document.getElementById("id_category"), track = document.getElementById("id_track");
  if (!category || !track) return;
  var first = track.options[0], base = first.textContent;
  function show() {
    var chosen = category.selectedOptions[0], value = chosen && chosen.dataset.track;
    var match = value && track.querySelector('option[value="' + value + '"]');
    first.textContent = match ? base + ": " + match.textContent : base;
  }
  category.addEventListener("change", show);
  show();
})();
