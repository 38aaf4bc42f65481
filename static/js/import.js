/* Upload a CRM export with a progress bar (XMLHttpRequest), then go to its preview.
   Without JavaScript the form posts normally; if anything unexpected happens we fall back to that. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var box = document.getElementById("upload-progress");
  var bar = document.getElementById("upload-bar");
  var status = document.getElementById("upload-status");
  var errors = document.getElementById("upload-errors");
  var button = form.querySelector("button[type=submit]");

  function sizeLabel(bytes) {
    var mb = bytes / (1024 * 1024);
    return mb >= 1 ? (Math.round(mb * 10) / 10) + " MB" : Math.max(1, Math.floor(bytes / 1024)) + " KB";
  }

  function showErrors(messages) {
    errors.textContent = "";
    var heading = document.createElement("h2");
    heading.textContent = "This file can't be imported";
    errors.appendChild(heading);
    var list = document.createElement("ul");
    messages.forEach(function (message) {
      var item = document.createElement("li");
      item.textContent = message;
      list.appendChild(item);
    });
    errors.appendChild(list);
    errors.hidden = false;
    box.hidden = true;
    button.disabled = false;
    errors.focus();
  }

  function setProgress(percent, text) {
    bar.value = percent;
    bar.textContent = percent + "%";
    status.textContent = text;
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) {
      return; // the server answers "Choose a file" and keeps the other choices
    }
    event.preventDefault();
    var limit = parseInt(form.getAttribute("data-max-bytes"), 10);
    if (limit && file.size > limit) {
      showErrors([file.name + " is " + sizeLabel(file.size) + "; the limit is " + sizeLabel(limit) +
        ". Export fewer columns, or split the file and import each part."]);
      return;
    }
    var request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.setRequestHeader("Accept", "application/json");
    request.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) {
        var percent = Math.round((e.loaded / e.total) * 100);
        setProgress(percent, percent + "% of " + sizeLabel(e.total) + " uploaded");
      }
    });
    request.upload.addEventListener("load", function () {
      setProgress(100, "Uploaded. Checking every row…");
    });
    request.addEventListener("load", function () {
      var data = null;
      try {
        data = JSON.parse(request.responseText);
      } catch (ignore) {
        data = null;
      }
      if (request.status === 200 && data && data.location) {
        window.location.assign(data.location);
      } else if (data && data.errors && data.errors.length) {
        showErrors(data.errors);
      } else if (request.status === 413) {
        showErrors(["The file is larger than the server accepts. Split it and import each part."]);
      } else {
        form.submit(); // something unexpected: let the page handle a normal post
      }
    });
    request.addEventListener("error", function () {
      showErrors(["The upload was interrupted. Check your connection and try again."]);
    });
    errors.hidden = true;
    box.hidden = false;
    button.disabled = true;
    setProgress(0, "Starting the upload…");
    request.send(new FormData(form));
  });
}());
