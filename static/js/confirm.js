// Ask before an action that cannot be undone in one click: any submit button with
// data-confirm="question" shows the question and cancels the submit unless confirmed.
// One delegated listener, no inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("submit", function (event) {
  var button = event.submitter;
  var question = button && button.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
