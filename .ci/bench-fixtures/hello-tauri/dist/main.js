const main = document.createElement("main");
const heading = document.createElement("h1");
heading.textContent = "Hello, Tauri";
const button = document.createElement("button");
button.textContent = "Click me";
button.addEventListener("click", () => (heading.textContent = "Clicked"));
main.append(heading, button);
document.getElementById("app").append(main);
