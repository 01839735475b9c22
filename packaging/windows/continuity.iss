; Inno Setup 6 script: one setup.exe that installs the Windows bundle for all users of a laptop.
;
; On the Windows build machine, from the checkout (see packaging/README.md):
;   .venv\Scripts\python -m PyInstaller --noconfirm packaging\continuity.spec
;   "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" packaging\windows\continuity.iss
; -> dist\installer\continuity-<version>-setup.exe
;
; The version is read from continuity.exe's version resource, which the spec writes from
; continuity.__version__ (one source). Override with ISCC /DAppVersion=1.2.3 if ever needed.
;
; Silent install for deployment tools:  continuity-<version>-setup.exe /VERYSILENT /NORESTART
; (add /TASKS="addtopath" to put the `continuity` command on PATH for IT scripts).
;
; The caches (patient data) live in each user's %LOCALAPPDATA%\Continuity, or where IT put them
; with --db. Uninstalling never deletes them: after reconciliation IT destroys them on purpose.

#define AppName "Continuity"
#define BundleDir AddBackslash(SourcePath) + "..\..\dist\continuity"
#define GuiExe "continuity-gui.exe"
#define CliExe "continuity.exe"
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(BundleDir + "\" + CliExe, "ProductVersion")
#endif
#if AppVersion == ""
  #error "No version: build the bundle first (dist\continuity\continuity.exe is missing or has no version resource)."
#endif

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it.
AppId={{6C0A4F5E-3B8D-4C71-9E2A-5D4B7A1C9F30}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Continuity
VersionInfoVersion={#AppVersion}
DefaultDirName={autopf}\Continuity
DefaultGroupName=Continuity
DisableProgramGroupPage=yes
; IT installs for the whole laptop; ward users never need administrator rights to run it.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\..\dist\installer
OutputBaseFilename=continuity-{#AppVersion}-setup
SetupIconFile={#BundleDir}\_internal\continuity.ico
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
CloseApplications=yes
RestartApplications=no
ShowLanguageDialog=auto

[Languages]
Name: "french"; MessagesFile: "compiler:Languages\French.isl"
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
french.AddToPath=Ajouter la commande « continuity » au PATH (pour le service informatique)
english.AddToPath=Add the "continuity" command to PATH (for IT staff)
french.CliShortcut=Continuity - invite de commandes (informatique)
english.CliShortcut=Continuity - command prompt (IT)

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"
Name: "addtopath"; Description: "{cm:AddToPath}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the whole bundle: no stale library of the previous version may stay behind.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"
Name: "{autoprograms}\{cm:CliShortcut}"; Filename: "{cmd}"; Parameters: "/k ""{app}\{#CliExe}"" --help"; WorkingDir: "{userdocs}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
  ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
  Tasks: addtopath; Check: PathLacks(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#CliExe}"; Parameters: "--version"; Flags: runhidden waituntilterminated; StatusMsg: "Continuity --version"
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
const
  EnvKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';

function PathLacks(Dir: string): Boolean;
var
  Current: string;
begin
  if not RegQueryStringValue(HKLM, EnvKey, 'Path', Current) then
    Result := True
  else
    Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Current) + ';') = 0;
end;

procedure RemoveFromPath(Dir: string);
var
  Current, Needle: string;
  P: Integer;
begin
  if not RegQueryStringValue(HKLM, EnvKey, 'Path', Current) then
    exit;
  Needle := ';' + Uppercase(Dir) + ';';
  P := Pos(Needle, ';' + Uppercase(Current) + ';');
  if P = 0 then
    exit;
  { In the ';'-padded string the entry is ';' + Dir at P: drop it, then the padding. }
  Current := ';' + Current + ';';
  Delete(Current, P, Length(Needle) - 1);
  Current := Copy(Current, 2, Length(Current) - 2);
  RegWriteExpandStringValue(HKLM, EnvKey, 'Path', Current);
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if CurUninstallStep = usPostUninstall then
    RemoveFromPath(ExpandConstant('{app}'));
end;
