package dev.berth.ui;

import static org.assertj.core.api.Assertions.assertThat;

import dev.berth.registry.model.Tag;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser: Debian's headless Chromium driven by its chromedriver (never one downloaded). Each
 * test leaves a screenshot in {@code target/screenshots/}.
 */
class ConsoleBrowserTest {
    private static final String CHROMEDRIVER = "/usr/bin/chromedriver";
    private static final String CHROMIUM = "/usr/bin/chromium";

    @TempDir
    Path dir;
    private ConsoleServer server;
    private ChromeDriver browser;
    private WebDriverWait wait;
    private String testName;

    @BeforeEach
    void openBrowser(TestInfo info) {
        testName = info.getTestMethod().orElseThrow().getName();
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                "--disable-gpu");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER))
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        wait = new WebDriverWait(browser, Duration.ofSeconds(10));
    }

    @AfterEach
    void closeBrowser() throws Exception {
        try {
            if (browser != null) {
                Path shots = Path.of("target", "screenshots");
                Files.createDirectories(shots);
                File shot = browser.getScreenshotAs(OutputType.FILE);
                Files.copy(shot.toPath(), shots.resolve(testName + ".png"), StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            if (browser != null) {
                browser.quit();
            }
            if (server != null) {
                server.close();
            }
        }
    }

    private void signIn(String user, String password) {
        browser.get(server.ui() + "/");
        browser.findElement(By.id("sign-in")).click();
        browser.findElement(By.id("user")).sendKeys(user);
        browser.findElement(By.id("password")).sendKeys(password);
        browser.findElement(By.id("sign-in-submit")).click();
        wait.until(ExpectedConditions.textToBe(By.id("viewer"), user));
    }

    @Test
    void signInBrowseAndOpenAnIndexWithASignature() throws Exception {
        server = ConsoleServer.start(true, dir);
        var index = server.content.index("team/app", "v1");
        server.content.referrer("team/app", index, "application/vnd.oci.image.index.v1+json",
                Content.SIGNATURE_TYPE, "a signature");
        server.content.image("public/base", "3.20", Map.of(), "amd64", 100);

        signIn(ConsoleServer.ADMIN, ConsoleServer.ADMIN_PASSWORD);
        List<String> repos = browser.findElements(By.cssSelector("#repositories a.repo")).stream()
                .map(WebElement::getText).toList();
        assertThat(repos).containsExactly("public/base", "team/app");
        browser.findElement(By.linkText("team/app")).click();
        wait.until(ExpectedConditions.textToBe(By.id("repository"), "team/app"));
        WebElement row = browser.findElement(By.cssSelector("tr[data-tag='v1']"));
        assertThat(row.getText()).contains("linux/amd64, linux/arm64/v8");
        row.findElement(By.linkText("v1")).click();

        wait.until(ExpectedConditions.textToBe(By.id("reference"), "v1"));
        assertThat(browser.findElement(By.id("digest")).getText()).isEqualTo(index.digest().toString());
        List<String> platforms = browser.findElements(By.cssSelector("#platforms a.platform")).stream()
                .map(WebElement::getText).toList();
        assertThat(platforms).containsExactly("linux/amd64", "linux/arm64/v8");
        WebElement referrers = browser.findElement(By.id("referrers"));
        assertThat(referrers.findElement(By.cssSelector(".artifact-type")).getText())
                .isEqualTo(Content.SIGNATURE_TYPE);
        assertThat(referrers.findElements(By.cssSelector("li.referrer"))).hasSize(1);

        browser.findElement(By.linkText("linux/arm64/v8")).click();
        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("layers")));
        assertThat(browser.findElements(By.cssSelector("#layers tbody tr"))).hasSize(2);
        assertThat(browser.findElement(By.id("config")).getText()).contains("linux/arm64");
        // The raw JSON is there on demand.
        WebElement raw = browser.findElement(By.cssSelector("#raw pre"));
        assertThat(raw.isDisplayed()).isFalse();
        browser.findElement(By.cssSelector("#raw summary")).click();
        assertThat(raw.isDisplayed()).isTrue();
        assertThat(raw.getText()).contains("\"schemaVersion\" : 2");
    }

    @Test
    void copyThePullCommand() throws Exception {
        server = ConsoleServer.start(false, dir);
        server.content.image("team/app", "1.0", Map.of(), "amd64", 100);
        browser.get(server.ui() + "/tags?repo=team/app");
        WebElement copy = browser.findElement(By.cssSelector("tr[data-tag='1.0'] button.copy"));
        assertThat(copy.isDisplayed()).isTrue(); // shown by the script: it works under the CSP
        copy.click();
        String expected = "docker pull " + browser.getCurrentUrl().replaceFirst("^http://([^/]+)/.*$", "$1")
                + "/team/app:1.0";
        wait.until(ExpectedConditions.textToBe(By.id("copy-status"), "Copied: " + expected));
        // What the clipboard holds, pasted into the search field.
        browser.get(server.ui() + "/");
        WebElement search = browser.findElement(By.id("q"));
        search.click();
        search.sendKeys(Keys.chord(Keys.CONTROL, "v"));
        assertThat(search.getDomProperty("value")).isEqualTo(expected);
    }

    @Test
    void deleteATagAndSeeTheActivityEntry() throws Exception {
        server = ConsoleServer.start(true, dir);
        server.content.image("team/app", "1.9", Map.of(), "amd64", 100);
        server.content.image("team/app", "1.10", Map.of(), "amd64", 100);
        server.content.image("team/app", "release-1", Map.of(), "amd64", 100);
        signIn(ConsoleServer.ADMIN, ConsoleServer.ADMIN_PASSWORD);
        browser.get(server.ui() + "/tags?repo=team/app");
        List<String> order = browser.findElements(By.cssSelector("#tags a.tag")).stream().map(WebElement::getText)
                .toList();
        assertThat(order).containsExactly("1.9", "1.10", "release-1");
        assertThat(browser.findElements(By.cssSelector("tr[data-tag='release-1'] input[type=checkbox]"))).isEmpty();
        assertThat(browser.findElement(By.cssSelector("tr[data-tag='release-1'] .immutable")).getText())
                .isEqualTo("immutable");
        WebElement delete = browser.findElement(By.id("delete-selected"));
        assertThat(delete.isEnabled()).isFalse();
        browser.findElement(By.cssSelector("tr[data-tag='1.9'] input[name=tag]")).click();
        assertThat(delete.getText()).isEqualTo("Delete 1 tag…");
        delete.click();

        wait.until(ExpectedConditions.presenceOfElementLocated(By.id("confirm-tags")));
        assertThat(browser.findElement(By.id("confirm-tags")).getText()).isEqualTo("1.9");
        assertThat(server.registry.repository("team/app").tags().get(new Tag("1.9"))).isPresent();
        browser.findElement(By.id("confirm-delete")).click();

        wait.until(ExpectedConditions.textToBe(By.id("message"), "Deleted 1 tag."));
        assertThat(browser.findElements(By.cssSelector("tr[data-tag='1.9']"))).isEmpty();
        assertThat(server.registry.repository("team/app").tags().get(new Tag("1.9"))).isEmpty();

        browser.findElement(By.linkText("Activity")).click();
        WebElement first = wait.until(ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#activity tbody tr")));
        assertThat(first.findElement(By.cssSelector(".action")).getText()).isEqualTo("delete");
        assertThat(first.findElement(By.cssSelector(".actor")).getText()).isEqualTo(ConsoleServer.ADMIN);
        assertThat(first.getText()).contains("team/app").contains("1.9");
    }

    @Test
    void anAnonymousViewerSeesOnlyPublicRepositories() throws Exception {
        server = ConsoleServer.start(true, dir);
        server.content.image("public/base", "1", Map.of(), "amd64", 100);
        server.content.image("public/tools", "1", Map.of(), "amd64", 100);
        server.content.image("private/secret", "1", Map.of(), "amd64", 100);
        browser.get(server.ui() + "/");
        List<String> repos = browser.findElements(By.cssSelector("#repositories a.repo")).stream()
                .map(WebElement::getText).toList();
        assertThat(repos).containsExactly("public/base", "public/tools");
        assertThat(browser.findElement(By.id("sign-in")).isDisplayed()).isTrue();
        browser.get(server.ui() + "/tags?repo=private/secret");
        assertThat(browser.findElement(By.id("error-message")).getText()).contains("no repository private/secret");
    }

    @Test
    void aLabelWithMarkupIsShownAsText() throws Exception {
        server = ConsoleServer.start(false, dir);
        String evil = "<script>window.pwned = 1</script><img src=x onerror=\"window.pwned = 2\">";
        server.content.image("app", "evil", Map.of("description", evil), "amd64", 100);
        browser.get(server.ui() + "/image?repo=app&ref=evil");
        WebElement cell = browser.findElement(By.xpath("//table[@id='labels']//th[text()='description']"
                + "/following-sibling::td"));
        assertThat(cell.getText()).isEqualTo(evil);
        assertThat(cell.findElements(By.tagName("script"))).isEmpty();
        assertThat(cell.findElements(By.tagName("img"))).isEmpty();
        assertThat(browser.executeScript("return window.pwned === undefined")).isEqualTo(true);
    }
}
