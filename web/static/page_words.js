/* The page's sentences in the visitor's language: the server renders them into the page as a
 * JSON data element (#page-words, never executed, so the CSP needs no inline script), keyed as
 * in web/script_words.py. t("you", {name: "Ada"}) fills the {placeholders}. */

var table = (function () {
  try {
    var element = document.getElementById("page-words");
    return element ? JSON.parse(element.textContent) || {} : {};
  } catch (ignored) {
    return {};
  }
})();

export function t(key, values) {
  var text = Object.prototype.hasOwnProperty.call(table, key) ? table[key] : key;
  return text.replace(/\{(\w+)\}/g, function (whole, name) {
    return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
  });
}
